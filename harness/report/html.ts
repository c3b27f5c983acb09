/**
 * report.html: one self-contained page (no network, no script needed) a person wants to open: the verdicts,
 * the hotspots, the load, the debug container's privileges and a flame graph drawn from the raw profile.
 * Pure: renderReport returns a string. Everything that came from a profile or the app is escaped; the flame
 * graph is drawn here rather than inlining py-spy's SVG, which carries its own script.
 */
import { callTree, frameLabel, type CallTreeNode, type Profile } from '../profile/model.js';
import { percent } from '../assert/verdict.js';
import type { RunSummary } from './summary.js';

export function escapeHtml(text: unknown): string {
  return String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside <script type="application/json">: no `<` may survive, or `</script>` in a frame name ends it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function renderReport(summary: RunSummary, profile: Profile | undefined): string {
  const pass = summary.verdict === 'pass';
  const dc = summary.debugContainer;
  const load = summary.load;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`holistic: ${summary.scenario} on ${summary.target} — ${summary.verdict}`)}</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1240px; padding: 0 1rem; color: #1d1d1f; }
  h1 { font-size: 1.5rem; margin-bottom: .2rem; }
  .sub { color: #555; margin-top: 0; }
  .badge { display: inline-block; padding: .1rem .6rem; border-radius: .3rem; color: #fff; font-weight: 600; }
  .pass { background: #1a7f37; } .fail { background: #cf222e; }
  table { border-collapse: collapse; margin: .5rem 0 1.2rem; }
  th, td { border-bottom: 1px solid #ddd; padding: .3rem .7rem; text-align: left; vertical-align: top; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  code, .mono { font-family: ui-monospace, monospace; font-size: 12.5px; }
  td.mono { white-space: pre-wrap; word-break: break-word; }
  .warn { background: #fff8c5; border: 1px solid #d4a72c; padding: .4rem .7rem; border-radius: .3rem; margin: .3rem 0; }
  .danger { background: #ffebe9; border: 1px solid #cf222e; color: #82071e; padding: .4rem .7rem; border-radius: .3rem; }
  .bar { background: #e36209; height: .7rem; display: inline-block; vertical-align: middle; }
  details { margin: .3rem 0; }
  svg text { font: 11px ui-monospace, monospace; pointer-events: none; }
  svg rect:hover { stroke: #000; stroke-width: .6; }
</style>
</head>
<body>
<h1>${escapeHtml(summary.scenario)} <span class="badge ${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</span></h1>
<p class="sub">target <b>${escapeHtml(summary.target)}</b> · run <code>${escapeHtml(summary.runId)}</code> · started ${escapeHtml(summary.startedAt)} · ${escapeHtml(summary.app.description)}</p>
${summary.interrupted ? `<p class="danger">This run was interrupted: what is below is what was collected before it stopped.${summary.error ? ` ${escapeHtml(summary.error)}` : ''}</p>` : summary.error ? `<p class="danger">${escapeHtml(summary.error)}</p>` : ''}
${summary.warnings.map((w) => `<p class="warn">${escapeHtml(w)}</p>`).join('\n')}

<h2>Verdicts</h2>
<table>
<tr><th></th><th>check</th><th>expected</th><th>actual</th></tr>
${summary.verdicts
  .map(
    (v) => `<tr><td><span class="badge ${v.pass ? 'pass' : 'fail'}">${v.pass ? 'pass' : 'fail'}</span></td><td>${escapeHtml(v.name)}</td><td>${escapeHtml(v.expected)}</td><td>${escapeHtml(v.actual)}${
      v.details?.length ? `<details><summary>details</summary><pre class="mono">${escapeHtml(v.details.join('\n'))}</pre></details>` : ''
    }</td></tr>`,
  )
  .join('\n')}
</table>

<h2>Hotspots <small>(${summary.samples} non-idle samples)</small></h2>
<table>
<tr><th>#</th><th>function</th><th>file</th><th>self</th><th></th><th>total</th><th>samples</th></tr>
${summary.hotspots
  .map(
    (h, i) => `<tr><td>${i + 1}</td><td class="mono">${escapeHtml(h.name)}</td><td class="mono">${escapeHtml(h.file ?? '')}</td><td class="num">${percent(h.self)}</td><td><span class="bar" style="width:${(h.self * 200).toFixed(0)}px"></span></td><td class="num">${percent(h.total)}</td><td class="num">${h.samples}</td></tr>`,
  )
  .join('\n')}
</table>

<h2>Flame graph</h2>
<p class="sub">Drawn from the raw py-spy counts (root at the top; width = share of samples; hover for numbers). py-spy's own interactive SVG is in the artifacts.</p>
${profile ? renderFlameGraph(profile) : '<p>No profile was recorded.</p>'}

<h2>Load</h2>
${
  load
    ? `<table>
<tr><th>generator</th><td>${escapeHtml(load.generator)}</td><th>connections</th><td class="num">${load.connections}</td></tr>
<tr><th>requests</th><td class="num">${load.requests} in ${load.duration_s.toFixed(1)} s</td><th>throughput</th><td class="num">${load.rps} req/s</td></tr>
<tr><th>latency p50</th><td class="num">${load.p50_ms} ms</td><th>p90</th><td class="num">${load.p90_ms} ms</td></tr>
<tr><th>p99</th><td class="num">${load.p99_ms} ms</td><th>max</th><td class="num">${load.max_ms} ms</td></tr>
<tr><th>errors</th><td class="num">${load.errors} (${load.timeouts} timeouts)</td><th>non-2xx</th><td class="num">${load.non2xx}</td></tr>
</table>`
    : '<p>No load was run.</p>'
}
${renderObserver(summary.observer)}

<h2>Where it ran</h2>
<table>
${Object.entries(summary.environment)
  .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td class="mono">${escapeHtml(value)}</td></tr>`)
  .join('\n')}
${
  dc
    ? `<tr><th>debug image</th><td class="mono">${escapeHtml(dc.image ?? '(tools on the host)')}</td></tr>
<tr><th>capabilities added</th><td class="mono">${escapeHtml(dc.capabilities.join(', ') || 'none')}</td></tr>
<tr><th>privileged</th><td>${dc.privileged ? '<span class="danger">yes: this scenario asked for the sysadmin profile</span>' : 'no'}</td></tr>`
    : '<tr><th>debug session</th><td>none was attached</td></tr>'
}
</table>
${summary.threads ? renderThreads(summary.threads) : ''}

<h2>Timings and files</h2>
<table>
<tr><th>setup</th><td class="num">${summary.durations.setup_s.toFixed(1)} s</td><th>profile</th><td class="num">${summary.durations.profile_s.toFixed(1)} s</td><th>teardown</th><td class="num">${summary.durations.teardown_s.toFixed(1)} s</td></tr>
</table>
<ul>
${Object.entries(summary.artifacts)
  .map(([name, file]) => `<li>${escapeHtml(name)}: <a href="${escapeHtml(encodeURI(file))}">${escapeHtml(file)}</a></li>`)
  .join('\n')}
</ul>
<script type="application/json" id="summary">${scriptJson(summary)}</script>
</body>
</html>
`;
}

/** What the profiler cost the app: profiled / unprofiled load, shown in every report (or why it is missing). */
function renderObserver(o: RunSummary['observer']): string {
  if (!o) return '<h3>Observer effect</h3><p>Not measured in this run (no unprofiled phase, or the run did not finish).</p>';
  const flag = (moved: boolean) => (moved ? ' class="num warn"' : ' class="num"');
  return `<h3>Observer effect <small>(profiled / unprofiled${o.sampling ? `; py-spy ${escapeHtml(o.sampling.mode)}, ${o.sampling.samplers} sampler(s) at ${o.sampling.rate_hz} Hz` : ''}${o.sampling?.profiler_cores !== undefined ? `; the samplers used ${o.sampling.profiler_cores.toFixed(2)} CPU cores` : ''})</small></h3>
<table>
<tr><th></th><th>unprofiled</th><th>profiled</th><th>ratio</th></tr>
<tr><th>throughput</th><td class="num">${o.unprofiled.rps} req/s</td><td class="num">${o.profiled.rps} req/s</td><td${flag(Math.abs(1 - o.rps_ratio) > 0.1)}>×${o.rps_ratio.toFixed(2)}</td></tr>
<tr><th>p50</th><td class="num">${o.unprofiled.p50_ms} ms</td><td class="num">${o.profiled.p50_ms} ms</td><td class="num">×${o.p50_ratio.toFixed(2)}</td></tr>
<tr><th>p99</th><td class="num">${o.unprofiled.p99_ms} ms</td><td class="num">${o.profiled.p99_ms} ms</td><td${flag(Math.abs(o.p99_ratio - 1) > 0.1)}>×${o.p99_ratio.toFixed(2)}</td></tr>
<tr><th>requests</th><td class="num">${o.unprofiled.requests} in ${o.unprofiled.duration_s.toFixed(1)} s</td><td class="num">${o.profiled.requests} in ${o.profiled.duration_s.toFixed(1)} s</td><td></td></tr>
</table>`;
}

function renderThreads(threads: NonNullable<RunSummary['threads']>): string {
  const active = threads.filter((t) => !t.idle).length;
  return `<h2>Thread dump <small>(${threads.length} threads, ${active} active)</small></h2>
${threads
  .map(
    (t) => `<details${t.idle ? '' : ' open'}><summary class="mono">${escapeHtml(`Thread ${t.id} (${t.status}): "${t.name}"`)} — ${escapeHtml(t.frames[0] ?? 'no frames')}</summary><pre class="mono">${escapeHtml(t.frames.join('\n'))}</pre></details>`,
  )
  .join('\n')}`;
}

const WIDTH = 1200;
const ROW = 17;

/** An icicle graph (root on top) as inline SVG. Frames under 0.1% of samples are left out, as inferno does. */
export function renderFlameGraph(profile: Profile): string {
  const root = callTree(profile);
  if (root.total === 0) return '<p>The profile is empty.</p>';
  const minWidth = root.total * 0.001;
  const rects: string[] = [];
  let depthMax = 0;
  const walk = (node: CallTreeNode, x: number, depth: number) => {
    const w = (node.total / root.total) * WIDTH;
    const label = node.frame ? frameLabel(node.frame) : 'all';
    const tip = `${label} — ${node.total} samples, ${percent(node.total / root.total, 2)} (self ${node.self})`;
    const chars = Math.floor((w - 6) / 6.7);
    const text = chars >= 3 ? (label.length > chars ? label.slice(0, chars - 1) + '…' : label) : '';
    rects.push(
      `<g><title>${escapeHtml(tip)}</title><rect x="${x.toFixed(2)}" y="${depth * ROW}" width="${Math.max(w - 0.5, 0.5).toFixed(2)}" height="${ROW - 1}" fill="${color(label)}" rx="2"/>` +
        (text ? `<text x="${(x + 3).toFixed(2)}" y="${depth * ROW + 12}">${escapeHtml(text)}</text>` : '') +
        '</g>',
    );
    depthMax = Math.max(depthMax, depth);
    let childX = x;
    for (const child of node.children) {
      if (child.total >= minWidth) walk(child, childX, depth + 1);
      childX += (child.total / root.total) * WIDTH;
    }
  };
  walk(root, 0, 0);
  const height = (depthMax + 1) * ROW;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="flame graph">${rects.join('')}</svg>`;
}

function color(name: string): string {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  const h = Math.abs(hash);
  return `rgb(${205 + (h % 50)},${80 + ((h >> 8) % 130)},${30 + ((h >> 16) % 40)})`;
}
