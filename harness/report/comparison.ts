/**
 * The report's sections for what other parts of holistic may add to summary.json: the observer effect (what the
 * profiler cost the app) and a baseline comparison (what grew, what shrank). Both read fields that may be
 * absent or shaped differently in older summaries: a known shape gets a table, anything else a readable dump.
 */
import { escapeHtml } from './escape.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** summary.observer: {unprofiled, profiled, rps_ratio, p50_ratio, p99_ratio, sampling}. */
export function renderObserver(observer: unknown): string {
  if (observer === undefined) return '';
  if (!isObject(observer)) {
    return section('observer', 'Observer effect', '<p class="muted">Not measured in this run (no unprofiled phase, or the run did not finish).</p>');
  }
  const un = isObject(observer.unprofiled) ? observer.unprofiled : undefined;
  const pr = isObject(observer.profiled) ? observer.profiled : undefined;
  if (!un || !pr) return section('observer', 'Observer effect', genericTable(observer));
  const sampling = isObject(observer.sampling) ? observer.sampling : undefined;
  const row = (label: string, key: string, unit: string, ratioKey: string, higherIsWorse: boolean) => {
    const ratio = observer[ratioKey];
    const moved = num(ratio) && Math.abs(ratio - 1) > 0.1;
    const worse = num(ratio) && (higherIsWorse ? ratio > 1.1 : ratio < 0.9);
    return `<tr><th>${label}</th><td class="num">${fmtNum(un[key])} ${unit}</td><td class="num">${fmtNum(pr[key])} ${unit}</td><td class="num${moved ? (worse ? ' worse' : ' better') : ''}">${num(ratio) ? `×${ratio.toFixed(2)}` : '—'}</td></tr>`;
  };
  const note = sampling
    ? `<p class="muted">py-spy ${escapeHtml(sampling.mode ?? '')}, ${escapeHtml(sampling.samplers ?? '?')} ${sampling.samplers === 1 ? "sampler" : "samplers"} at ${escapeHtml(sampling.rate_hz ?? '?')} Hz${
        num(sampling.profiler_cores) ? `; the samplers used ${sampling.profiler_cores.toFixed(2)} CPU cores` : ''
      }. A ratio more than 10% from ×1.00 means the load numbers describe a disturbed app.</p>`
    : '<p class="muted">A ratio more than 10% from ×1.00 means the load numbers describe a disturbed app.</p>';
  return section(
    'observer',
    'Observer effect',
    `<p>The same load without the profiler, then with it: what attaching cost the app.</p>
<table class="grid-table">
<tr><th></th><th>unprofiled</th><th>profiled</th><th>profiled / unprofiled</th></tr>
${row('throughput', 'rps', 'req/s', 'rps_ratio', false)}
${row('latency p50', 'p50_ms', 'ms', 'p50_ratio', true)}
${row('latency p99', 'p99_ms', 'ms', 'p99_ratio', true)}
<tr><th>requests</th><td class="num">${fmtNum(un.requests)}</td><td class="num">${fmtNum(pr.requests)}</td><td></td></tr>
</table>
${note}`,
  );
}

/** summary.baseline: {file, createdAt, runId, comparisons[{metric, baseline, current, change, low, high, unit, outcome, …}], environmentDifferences[]}. */
export function renderBaseline(baseline: unknown): string {
  if (baseline === undefined || baseline === null) return '';
  if (!isObject(baseline) || !Array.isArray(baseline.comparisons)) return section('baseline', 'Compared with the baseline', genericTable(baseline));
  const comparisons = baseline.comparisons.filter(isObject);
  const grew = comparisons.filter((c) => num(c.change) && c.change > 0).sort((a, b) => (b.change as number) - (a.change as number));
  const shrank = comparisons.filter((c) => num(c.change) && c.change < 0).sort((a, b) => (a.change as number) - (b.change as number));
  const same = comparisons.filter((c) => !num(c.change) || c.change === 0);
  const rows = (list: Json[]) =>
    list
      .map((c) => {
        const points = c.unit === 'points';
        const change = num(c.change) ? signed(c.change, points) : '—';
        const interval = num(c.low) && num(c.high) ? `${signed(c.low, points)} … ${signed(c.high, points)}` : '';
        const outcome = String(c.outcome ?? '');
        const cls = outcome === 'regressed' ? 'fail' : outcome === 'pass' ? 'pass' : 'neutral';
        return `<tr><td class="mono">${escapeHtml(c.metric ?? c.key ?? '?')}</td><td class="num">${fmtNum(c.baseline)}</td><td class="num">${fmtNum(c.current)}</td><td class="num">${escapeHtml(change)}</td><td class="num muted">${escapeHtml(interval)}</td><td><span class="badge ${cls}">${escapeHtml(outcome || 'reported')}</span>${c.gated === false ? ' <span class="muted">(not gated)</span>' : ''}${c.advice ? `<div class="muted">${escapeHtml(c.advice)}</div>` : ''}</td></tr>`;
      })
      .join('\n');
  const table = (title: string, list: Json[]) =>
    list.length
      ? `<h3>${title}</h3><table class="grid-table"><tr><th>metric</th><th>baseline</th><th>this run</th><th>change</th><th>95% interval</th><th>outcome</th></tr>${rows(list)}</table>`
      : '';
  const diffs = Array.isArray(baseline.environmentDifferences) ? baseline.environmentDifferences : [];
  return section(
    'baseline',
    'Compared with the baseline',
    `<p class="muted">baseline <code>${escapeHtml(baseline.file ?? '?')}</code>${baseline.runId ? ` from run <code>${escapeHtml(baseline.runId)}</code>` : ''}${baseline.createdAt ? `, ${escapeHtml(baseline.createdAt)}` : ''}</p>
${diffs.length ? `<div class="note warn">The environments differ: ${diffs.map(escapeHtml).join('; ')}</div>` : ''}
${table('What grew', grew)}
${table('What shrank', shrank)}
${table('Unchanged', same)}`,
  );
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${title}</h2>\n${body}\n</section>`;
}

/** Any object as a two-column table, nested values as JSON: nothing is lost, nothing is trusted. */
function genericTable(value: unknown): string {
  if (!isObject(value)) return `<pre class="mono">${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
  return `<table class="grid-table">${Object.entries(value)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="mono">${escapeHtml(typeof v === 'object' ? JSON.stringify(v) : String(v))}</td></tr>`)
    .join('')}</table>`;
}

function fmtNum(v: unknown): string {
  if (!num(v)) return escapeHtml(v ?? '—');
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
}

function signed(v: number, points: boolean): string {
  const s = points ? `${(v * 100).toFixed(1)} pt` : `${(v * 100).toFixed(1)}%`;
  return v > 0 ? `+${s}` : s;
}
