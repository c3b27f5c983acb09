/**
 * The report's per-worker view of a load made by several generator processes (Locust workers): each worker's
 * share beside the merged load, and the app's own count when it has one. Pure and escaped.
 */
import type { LoadResult } from '../load/types.js';
import { escapeHtml } from './escape.js';

export function renderWorkerLoads(load: LoadResult): string {
  // The CPU column when the workers recorded it (a share of one core: a worker runs on one).
  const cpu = (load.workers ?? []).some((w) => w.cpu !== undefined);
  const all = load.workers ?? [];
  const workersCpu = all.every((w) => w.cpu !== undefined) ? Math.round(all.reduce((s, w) => s + w.cpu!, 0) * 1000) / 1000 : undefined;
  const cpuCell = (c: number | undefined) => (cpu ? `<td class="num-inline">${c === undefined ? '' : `${(c * 100).toFixed(0)}%`}</td>` : '');
  const rows = (load.workers ?? []).map(
    (w) =>
      `<tr><td>${escapeHtml(w.name)}</td><td class="num-inline">${w.requests}</td><td class="num-inline">${w.rps}</td><td class="num-inline">${w.p50_ms}</td><td class="num-inline">${w.p99_ms}</td><td class="num-inline">${w.errors} · ${w.non2xx}</td>${cpuCell(w.cpu)}<td class="mono">${escapeHtml(w.log ?? '')}</td></tr>`,
  );
  const served = load.served
    ? `<p>The app counted <b>${load.served.app}</b> requests served; ${escapeHtml(load.generator)} counted <b>${load.served.generator}</b> (allowed difference ${load.served.tolerance}: requests in flight at the window's edges).</p>`
    : '';
  if (rows.length === 0) return served;
  return `<h3>Per worker and merged</h3>
<p class="muted">The merged percentiles come from the workers' summed latency histograms (Locust's rounding: 1 ms under 100 ms, 10 ms under 1 s, 100 ms above), never from averaging the workers' percentiles; they are exact to that bucket width.</p>
<table class="grid-table">
<tr><th>worker</th><th>requests</th><th>req/s</th><th>p50 ms</th><th>p99 ms</th><th>errors · non-2xx</th>${cpu ? '<th>CPU (of a core)</th>' : ''}<th>log</th></tr>
${rows.join('\n')}
<tr><th>merged</th><td class="num-inline"><b>${load.requests}</b></td><td class="num-inline"><b>${load.rps}</b></td><td class="num-inline"><b>${load.p50_ms}</b></td><td class="num-inline"><b>${load.p99_ms}</b></td><td class="num-inline">${load.errors} · ${load.non2xx}</td>${cpuCell(workersCpu)}<td></td></tr>
</table>
${served}`;
}
