/**
 * report.html: one self-contained page a person wants to open: the verdicts, an interactive flame graph, the
 * hotspots with how sure each share is, the load over time, the observer effect and baseline when present,
 * and where it ran (images, the debug container's privileges, the kubectl commands to do it by hand).
 * Pure: renderReport returns a string. It is made of one small function per section, each reading summary
 * fields and tolerating absent ones (older summaries, runs that stopped early).
 *
 * Safety: everything that came from a profile or the app is escaped, and a Content-Security-Policy lets only
 * the page's own script run (by hash) and forbids every fetch: even a missed escape could not run code or
 * reach the network.
 */
import { createHash } from 'node:crypto';
import type { Profile } from '../profile/model.js';
import { percent } from '../assert/verdict.js';
import { renderBaseline, renderObserver } from './comparison.js';
import { renderBaselineDiff, type BaselineDiffInput } from './baseline-diff.js';
import { renderProfileNotes } from './profile-notes.js';
import { wilson } from './confidence.js';
import { escapeHtml, scriptJson } from './escape.js';
import { flameScript, renderFlameGraph } from './flamegraph.js';
import { renderLatencyHistogram, renderLoadChart } from './load-chart.js';
import { renderWorkerLoads } from './load-workers.js';
import type { LoadSeries, LoadTimelinePoint } from '../load/responses.js';
import { renderLoadKinds } from './load-kinds.js';
import { pageHead } from './style.js';
import type { RunSummary } from './summary.js';

export { escapeHtml } from './escape.js';
export { renderFlameGraph } from './flamegraph.js';

const scriptHash = createHash('sha256').update(flameScript).digest('base64');
export const contentSecurityPolicy =
  `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;

/** Fields other parts of holistic add to summary.json; read loosely so this renderer does not depend on them. */
type Extra = { observer?: unknown; baseline?: unknown };

/** What the run saved beside summary.json that the report draws when given: every latency (load-series.json). */
export interface ReportExtras {
  series?: Partial<LoadSeries> | null;
  /** With --baseline: the baseline's stacks and this run's profile, for the differential flame graph. */
  baselineDiff?: BaselineDiffInput;
}

export function renderReport(summary: RunSummary, profile: Profile | undefined, extras: ReportExtras = {}): string {
  const extra = summary as RunSummary & Extra;
  return `${pageHead(`${summary.verdict === 'pass' ? 'PASS' : 'FAIL'} ${summary.scenario} on ${summary.target} — holistic`, contentSecurityPolicy)}
<body>
${header(summary)}
<main>
${alerts(summary)}
${verdicts(summary)}
${flame(summary, profile)}
${hotspots(summary)}
${renderProfileNotes(summary, profile)}
${load(summary, extras)}
${renderObserver(extra.observer)}
${renderBaseline(extra.baseline)}
${renderBaselineDiff(extras.baselineDiff)}
${environment(summary)}
${threads(summary)}
${reproduce(summary)}
</main>
<footer>holistic · run <code>${escapeHtml(summary.runId)}</code></footer>
<script type="application/json" id="summary">${scriptJson(summary)}</script>
<script>${flameScript}</script>
</body>
</html>
`;
}

function section(id: string, title: string, body: string, aside = ''): string {
  return `<section id="${id}"><h2>${title}${aside ? ` <small>${aside}</small>` : ''}</h2>\n${body}\n</section>`;
}

function header(s: RunSummary): string {
  const pass = s.verdict === 'pass';
  const list = s.verdicts ?? [];
  const passed = list.filter((v) => v.pass).length;
  const cpu = s.load?.app_cpu_ms_per_request;
  return `<header class="top ${pass ? 'is-pass' : 'is-fail'}">
<div class="wrap">
<div class="eyebrow">holistic report · ${escapeHtml(s.target)} target</div>
<h1>${escapeHtml(s.scenario)} <span class="badge big ${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</span></h1>
<p class="sub">${escapeHtml(s.app?.name ?? '')}${s.startedAt ? ` · ${escapeHtml(formatDate(s.startedAt))}` : ''}${s.options ? ` · ${escapeHtml(s.options.duration_s)} s of load` : ''}</p>
<div class="cards">
${card('verdicts', `${passed}/${list.length}`, pass ? 'all held' : list.length ? `${list.length - passed} failed` : 'none reached')}
${topHotspots(s)}
${loadCard(s)}
${card('CPU per request', cpu !== undefined ? `${fmtMs(cpu)} <small>ms</small>` : '—', cpu !== undefined ? "the app's own CPU time (utime + stime) per request: immune to neighbours" : 'not measured')}
</div>
<nav>${[
    ['verdicts', 'Verdicts'],
    ['flame', 'Flame graph'],
    ['hotspots', 'Hotspots'],
    ['load', 'Load'],
    ...((s as RunSummary & Extra).observer !== undefined ? [['observer', 'Observer effect']] : []),
    ...((s as RunSummary & Extra).baseline ? [['baseline', 'Baseline']] : []),
    ...((s as RunSummary & Extra).baseline ? [['baseline-diff', 'What changed']] : []),
    ['environment', 'Where it ran'],
    ...(s.threads ? [['threads', 'Threads']] : []),
    ['reproduce', 'Reproduce'],
  ]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join('')}</nav>
</div>
</header>`;
}

function card(label: string, value: string, note = '', wide = false): string {
  return `<div class="card${wide ? ' wide' : ''}"><div class="label">${label}</div><div class="value">${value}</div>${note ? `<div class="note-line">${note}</div>` : ''}</div>`;
}

function fmtMs(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** The top three hotspots, whole names, each one click from its frames in the flame graph. */
function topHotspots(s: RunSummary): string {
  const list = (s.hotspots ?? []).slice(0, 3);
  if (!list.length) return card('top hotspots', '—', 'no profile', true);
  return `<div class="card wide"><div class="label">top hotspots <span class="muted">· self share of ${s.samples} samples</span></div><ol class="hot-list">${list
    .map((h) => `<li><a href="#flame" data-search="${escapeHtml(searchFor(h.name))}" title="show in the flame graph">${escapeHtml(h.name)}</a> <b>${percent(h.self)}</b> <span class="muted">${escapeHtml(h.file ?? '')}</span></li>`)
    .join('')}</ol></div>`;
}

/** Throughput and p99 without the profiler (undisturbed) next to with it (what the profile describes). */
function loadCard(s: RunSummary): string {
  const l = s.load;
  if (!l) return card('load', '—', 'no load');
  const o = (s as RunSummary & { observer?: { unprofiled?: { rps?: number; p99_ms?: number; requests?: number } } | null }).observer;
  const un = o?.unprofiled;
  if (!un || !(Number(un.requests) > 0)) {
    return card('load (profiled)', `${l.rps} <small>req/s</small> · p99 ${l.p99_ms} <small>ms</small>`, `${l.requests} requests, ${l.errors} errors, p50 ${l.p50_ms} ms${o ? ' · no undisturbed phase to compare' : ''}`, true);
  }
  return `<div class="card wide"><div class="label">load: undisturbed vs profiled</div><div class="side">
<span></span><span class="muted">undisturbed</span><span class="muted">profiled</span>
<span class="muted">throughput</span><b>${escapeHtml(un.rps)} req/s</b><span>${l.rps} req/s</span>
<span class="muted">latency p99</span><b>${escapeHtml(un.p99_ms)} ms</b><span>${l.p99_ms} ms</span>
</div><div class="note-line">${l.requests} profiled requests, ${l.errors} errors</div></div>`;
}

/** Warnings as one titled list; near-duplicates (same words, other case or punctuation) shown once. */
export function dedupeWarnings(warnings: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const w of warnings) {
    const key = w.toLowerCase().replace(/\d+(\.\d+)?/g, '#').replace(/[^a-z#]+/g, ' ').trim();
    if (!seen.has(key)) seen.set(key, (w.charAt(0).toUpperCase() + w.slice(1)).replace(/(^|[\s(])x(\d+(\.\d+)?|NaN)\b/g, '$1×$2'));
  }
  return [...seen.values()];
}

function alerts(s: RunSummary): string {
  const out: string[] = [];
  if (s.interrupted) out.push(`<div class="note danger">This run was interrupted: what is below is what was collected before it stopped.${s.error ? ` ${escapeHtml(s.error)}` : ''}</div>`);
  else if (s.error) out.push(`<div class="note danger"><b>The run failed:</b> <span class="pre">${escapeHtml(s.error)}</span></div>`);
  const warnings = dedupeWarnings(s.warnings ?? []);
  if (warnings.length)
    out.push(`<details class="note warn warnings"><summary>${warnings.length} warning${warnings.length === 1 ? '' : 's'}: can I trust these numbers?</summary><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></details>`);
  return out.join('\n');
}

function verdicts(s: RunSummary): string {
  if (!s.verdicts?.length) return section('verdicts', 'Verdicts', '<p class="muted">No verdict was reached.</p>');
  return section(
    'verdicts',
    'Verdicts',
    `<table class="verdicts">
<thead><tr><th></th><th>check</th><th>expected</th><th>actual</th></tr></thead>
<tbody>
${s.verdicts
  .map(
    (v) => `<tr class="${v.pass ? 'ok' : 'bad'}"><td><span class="badge ${v.pass ? 'pass' : 'fail'}">${v.pass ? 'pass' : 'fail'}</span></td><td class="strong">${escapeHtml(v.name)}</td><td>${escapeHtml(v.expected)}</td><td>${escapeHtml(v.actual)}${
      v.details?.length ? `<details><summary>details</summary><pre class="mono">${escapeHtml(v.details.join('\n'))}</pre></details>` : ''
    }</td></tr>`,
  )
  .join('\n')}
</tbody>
</table>`,
  );
}

function flame(s: RunSummary, profile: Profile | undefined): string {
  const svg = s.artifacts?.flamegraph;
  return section(
    'flame',
    'Flame graph',
    `<p class="muted">Every stack py-spy sampled, root at the top; a frame's width is its share of samples. Search by name or file, click a frame to zoom, click it again (or Reset) to zoom out.${
      svg ? ` py-spy's own SVG: <a href="${artifactHref(svg)}">${escapeHtml(svg)}</a>.` : ''
    }</p>
${profile ? renderFlameGraph(profile) : '<p class="muted">No profile was recorded.</p>'}`,
  );
}

function hotspots(s: RunSummary): string {
  const list = s.hotspots ?? [];
  if (!list.length) return section('hotspots', 'Hotspots', '<p class="muted">No profile, no hotspots.</p>');
  const n = s.samples;
  return section(
    'hotspots',
    'Hotspots',
    `<p class="muted">Ranked by <b>self</b> share: the share of samples where the function itself was running (the leaf), so the first row is where the time is actually spent. <b>Total</b> counts samples with the function anywhere on the stack. The interval is Wilson's 95% for ${n} samples. Click a row to find it in the flame graph.</p>
<table class="hotspots">
<thead><tr><th class="num">#</th><th>function</th><th>file</th><th class="num">self</th><th class="bar-col">self share (95% interval)</th><th class="num">total</th><th class="num">self samples</th></tr></thead>
<tbody>
${list
  .map((h, i) => {
    const ci = wilson(h.samples, n);
    const pct = (x: number) => (x * 100).toFixed(2);
    return `<tr class="clickable" data-search="${escapeHtml(searchFor(h.name))}" title="find in the flame graph"><td class="num muted">${i + 1}</td><td class="mono strong">${escapeHtml(h.name)}</td><td class="mono muted">${escapeHtml(h.file ?? '')}</td><td class="num strong">${percent(h.self)}</td><td class="bar-col"><div class="track"><div class="fill" style="width:${pct(h.self)}%"></div><div class="ci" style="left:${pct(ci.low)}%;width:${pct(Math.max(ci.high - ci.low, 0.002))}%"></div></div><div class="ci-text">${percent(ci.low)} – ${percent(ci.high)}</div></td><td class="num">${percent(h.total)}</td><td class="num">${h.samples}</td></tr>`;
  })
  .join('\n')}
</tbody>
</table>`,
    `${n} non-idle samples`,
  );
}

/** A regular expression that finds exactly this function's frames by label (`name (file:line)`). */
function searchFor(name: string): string {
  return '^' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ' \\(';
}

function load(s: RunSummary, extras: ReportExtras): string {
  const l = s.load;
  const un = (s as RunSummary & { observer?: { unprofiled?: { timeline?: LoadTimelinePoint[] } } | null }).observer?.unprofiled?.timeline;
  if (!l) return section('load', 'Load', '<p class="muted">No load was run.</p>');
  return section(
    'load',
    'Load',
    `${renderLoadChart(l.timeline, un)}
${renderLatencyHistogram(extras.series?.latencies_ms, { p50: l.p50_ms, p99: l.p99_ms })}
<table class="grid-table">
<tr><th>generator</th><td>${escapeHtml(l.generator)} · ${l.connections} connections · <span class="mono">${escapeHtml(l.url)}</span></td></tr>
${l.in_cluster ? `<tr><th>where</th><td>in the cluster: pods in namespace <span class="mono">${escapeHtml(l.in_cluster.namespace)}</span>, not through the port-forward (${escapeHtml(l.in_cluster.reason)})</td></tr>` : ''}
<tr><th>requests</th><td class="num-inline">${l.requests} in ${l.duration_s.toFixed(1)} s = <b>${l.rps} req/s</b></td></tr>
<tr><th>latency</th><td class="num-inline">p50 <b>${l.p50_ms} ms</b> · p90 ${l.p90_ms} ms · p99 <b>${l.p99_ms} ms</b> · max ${l.max_ms} ms</td></tr>
<tr><th>failures</th><td class="num-inline${l.errors || l.non2xx ? ' worse' : ''}">${l.errors} errors (${l.timeouts} timeouts) · ${l.non2xx} non-2xx</td></tr>
</table>
${renderLoadKinds(l.kinds)}
${renderWorkerLoads(l)}`,
  );
}

function environment(s: RunSummary): string {
  const dc = s.debugContainer;
  const rows = Object.entries(s.environment ?? {}).filter(([key]) => key !== 'target').map(([key, value]) => {
    const text = String(value);
    const block = text.includes('\n') || /kubectl|spec/i.test(key);
    return `<tr><th>${escapeHtml(key)}</th><td>${block ? `<pre class="mono code">${escapeHtml(text)}</pre>` : `<span class="mono">${escapeHtml(text)}</span>`}</td></tr>`;
  });
  const debugRows = dc
    ? [
        `<tr><th>debug image</th><td class="mono">${escapeHtml(dc.image ?? '(tools on the host)')}</td></tr>`,
        s.target === 'local'
          ? `<tr><th>privileges</th><td>py-spy ran on the host ${dc.capabilities.includes('ALL') ? 'as root' : 'as the same user as the app'}: a local process, no container, nothing added</td></tr>`
          : `<tr><th>capabilities added</th><td>${(dc.capabilities.length ? dc.capabilities : ['none']).map((c) => `<span class="chip">${escapeHtml(c)}</span>`).join(' ')}</td></tr>`,
        `<tr><th>privileged</th><td>${dc.privileged ? '<span class="badge fail">yes</span> this scenario asked for the sysadmin profile' : 'no'}</td></tr>`,
        ...Object.entries(dc)
          .filter(([k]) => !['image', 'capabilities', 'privileged'].includes(k))
          .map(([k, v]) => `<tr><th>debug ${escapeHtml(k)}</th><td class="mono">${escapeHtml(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`),
      ]
    : ['<tr><th>debug session</th><td>none was attached</td></tr>'];
  return section(
    'environment',
    'Where it ran',
    `<table class="grid-table env">
<tr><th>target</th><td><b>${escapeHtml(s.target)}</b>${s.environment?.target ? ` <span class="mono muted">${escapeHtml(s.environment.target)}</span>` : ''}</td></tr>
<tr><th>app</th><td>${escapeHtml(s.app?.name ?? '')} <span class="mono muted">${escapeHtml(s.app?.url ?? '')}</span>${s.app?.description ? `<div class="mono muted">${escapeHtml(s.app.description)}</div>` : ''}</td></tr>
${debugRows.join('\n')}
${rows.join('\n')}
</table>`,
  );
}

function threads(s: RunSummary): string {
  const list = s.threads;
  if (!list) return section('threads', 'Thread dump', '<p class="muted">No thread dump was taken: this scenario does not ask for one (py-spy dump runs when a scenario checks threads or the app stops answering).</p>');
  const active = list.filter((t) => !t.idle).length;
  return section(
    'threads',
    'Thread dump',
    list
      .map(
        (t) =>
          `<details${t.idle ? '' : ' open'}><summary><span class="chip ${t.idle ? '' : 'hot'}">${t.idle ? 'idle' : 'active'}</span> <span class="mono">${escapeHtml(`Thread ${t.id} (${t.status}): "${t.name}"`)}</span> <span class="muted mono">— ${escapeHtml(t.frames[0] ?? 'no frames')}</span></summary><pre class="mono code">${escapeHtml(t.frames.join('\n'))}</pre></details>`,
      )
      .join('\n'),
    `${list.length} threads, ${active} active, from py-spy dump`,
  );
}

/** Human labels for the artifact keys summary.json uses. */
const artifactLabels: Record<string, string> = {
  profile: 'py-spy samples (collapsed stacks)',
  speedscope: 'profile for speedscope',
  flamegraph: "py-spy's own flame graph (SVG)",
  loadSeries: 'every request\'s latency (load series)',
  appLog: "the app's log",
  dump: 'thread dump (py-spy dump)',
  junit: 'JUnit XML for CI',
  summary: 'summary.json',
  report: 'this report',
  memray: 'memray capture',
};

function label(key: string): string {
  return artifactLabels[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Fields run.ts may add; rendered when present. */
type ReproduceFields = { command?: string | string[]; versions?: Record<string, string>; artifactSizes?: Record<string, number> };

function fmtSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function reproduce(s: RunSummary): string {
  const r = s as RunSummary & ReproduceFields;
  const d = s.durations;
  const recorded = r.command ?? s.options?.command_line;
  const command = Array.isArray(recorded) ? recorded.join(' ') : recorded;
  const env = Object.entries(s.options?.app_env ?? {}).map(([k, v]) => `--app-env ${k}=${v}`).join(' ');
  const guess = `holistic run ${s.scenario} --target ${s.target}${s.options ? ` --duration ${s.options.duration_s}` : ''}${env ? ` ${env}` : ''}`;
  const versions = Object.entries(r.versions ?? {});
  const speedscope = s.artifacts?.speedscope ?? Object.values(s.artifacts ?? {}).find((f) => f.endsWith('.speedscope.json'));
  return section(
    'reproduce',
    'Reproduce',
    `<p>${command ? 'The command that made this run:' : 'To run it again (rebuilt from the summary; the exact command line was not recorded):'}</p>
<pre class="mono code">${escapeHtml(command ?? guess)}</pre>
${versions.length ? `<p>${versions.map(([k, v]) => `${escapeHtml(k)} <b class="mono">${escapeHtml(v)}</b>`).join(' · ')}</p>` : ''}
${d ? `<p>set-up <b>${d.setup_s.toFixed(1)} s</b> · load and profile <b>${d.profile_s.toFixed(1)} s</b> · teardown <b>${d.teardown_s.toFixed(1)} s</b></p>` : ''}
<h3 id="files">Files</h3>
<ul class="files">
${Object.entries(s.artifacts ?? {})
  .map(([key, file]) => `<li><a href="${artifactHref(file)}">${escapeHtml(label(key))}</a> <span class="muted mono">${escapeHtml(file)}${r.artifactSizes?.[key] !== undefined ? ` · ${fmtSize(r.artifactSizes[key]!)}` : ''}</span></li>`)
  .join('\n')}
</ul>
${speedscope ? `<p class="muted">To explore the profile further, open <span class="mono">${escapeHtml(speedscope)}</span> in speedscope (drag the file onto its page; it stays on your machine).</p>` : ''}`,
  );
}

/** Artifacts are files in the run folder: a relative path, never a URL with a scheme (javascript:, http:). */
function artifactHref(file: string): string {
  return /^[a-z][a-z0-9+.-]*:|^\/\//i.test(file) ? '#files' : escapeHtml(encodeURI(file));
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}
