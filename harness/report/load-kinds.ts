/**
 * The report's table of request kinds: when the load was a mix (load/mix.ts), one row per kind with its
 * requests, latency and failures, so a slow or failing endpoint is not hidden in the mix's overall numbers.
 * Pure and escaped: kind names come from the user's scenario.
 */
import type { KindResult } from '../load/types.js';
import { escapeHtml } from './escape.js';

export function renderLoadKinds(kinds: readonly KindResult[] | undefined): string {
  if (!kinds?.length) return '';
  const rows = kinds.map((k) => {
    const bad = k.errors || k.non2xx ? ' worse' : '';
    return `<tr><td class="mono">${escapeHtml(k.name)}</td><td class="num">${k.connections}</td><td class="num">${k.requests}</td><td class="num">${k.rps}</td><td class="num">${k.p50_ms} ms</td><td class="num">${k.p90_ms} ms</td><td class="num">${k.p99_ms} ms</td><td class="num${bad}">${k.errors}</td><td class="num${bad}">${k.non2xx}</td></tr>`;
  });
  return `<h3>Per request kind</h3>
<table class="grid-table" id="load-kinds">
<tr><th>kind</th><th>connections</th><th>requests</th><th>req/s</th><th>p50</th><th>p90</th><th>p99</th><th>errors</th><th>non-2xx</th></tr>
${rows.join('\n')}
</table>`;
}
