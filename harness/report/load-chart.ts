/**
 * Throughput and latency over the run as an inline SVG chart: bars for requests per second (left axis),
 * lines for p50 and p99 latency (right axis). Numbers only, so nothing here needs escaping beyond labels.
 */
import type { LoadTimelinePoint } from '../load/responses.js';

const W = 1200;
const H = 240;
const PAD = { left: 56, right: 64, top: 16, bottom: 34 };

export function renderLoadChart(timeline: readonly LoadTimelinePoint[] | undefined): string {
  if (!timeline?.length) return '<p class="muted">No per-second samples were recorded for this load.</p>';
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const seconds = timeline[timeline.length - 1]!.t_s + timeline[timeline.length - 1]!.span_s;
  const maxRps = niceCeil(Math.max(...timeline.map((p) => p.rps), 1));
  const maxMs = niceCeil(Math.max(...timeline.map((p) => p.p99_ms ?? 0), 1));
  const xOf = (t: number) => PAD.left + (t / seconds) * plotW;
  const yRps = (v: number) => PAD.top + plotH - (v / maxRps) * plotH;
  const yMs = (v: number) => PAD.top + plotH - (v / maxMs) * plotH;

  const grid: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = PAD.top + (plotH * i) / 4;
    grid.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/>`);
    grid.push(`<text class="axis" x="${PAD.left - 8}" y="${y + 4}" text-anchor="end">${fmt((maxRps * (4 - i)) / 4)}</text>`);
    grid.push(`<text class="axis" x="${W - PAD.right + 8}" y="${y + 4}">${fmt((maxMs * (4 - i)) / 4)}</text>`);
  }
  const step = Math.max(1, Math.ceil(seconds / 12));
  for (let t = 0; t <= seconds + 1e-9; t += step) {
    grid.push(`<text class="axis" x="${xOf(t)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${t}s</text>`);
  }
  grid.push(`<text class="axis-title" x="${PAD.left - 8}" y="${H - 4}" text-anchor="end">req/s</text>`);
  grid.push(`<text class="axis-title" x="${W - PAD.right + 8}" y="${H - 4}">ms</text>`);

  const bars = timeline.map((p) => {
    const x = xOf(p.t_s) + 1;
    const w = Math.max(1, (p.span_s / seconds) * plotW - 2);
    const y = yRps(p.rps);
    const tip = `${p.t_s}–${(p.t_s + p.span_s).toFixed(p.span_s < 1 ? 1 : 0)} s: ${p.requests} requests (${p.rps} req/s)` +
      (p.p50_ms !== undefined ? `, p50 ${p.p50_ms} ms, p99 ${p.p99_ms} ms` : '') + (p.non2xx ? `, ${p.non2xx} non-2xx` : '');
    return `<rect class="rps${p.non2xx ? ' bad' : ''}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${(PAD.top + plotH - y).toFixed(1)}"><title>${tip}</title></rect>`;
  });
  const line = (key: 'p50_ms' | 'p99_ms') =>
    timeline
      .filter((p) => p[key] !== undefined)
      .map((p, i) => `${i ? 'L' : 'M'}${xOf(p.t_s + p.span_s / 2).toFixed(1)} ${yMs(p[key]!).toFixed(1)}`)
      .join(' ');
  return `<figure class="chart">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="throughput and latency per second">
${grid.join('\n')}
${bars.join('\n')}
<path class="p99" d="${line('p99_ms')}"/>
<path class="p50" d="${line('p50_ms')}"/>
</svg>
<figcaption><span class="key rps"></span> requests per second (left) <span class="key p50"></span> p50 latency <span class="key p99"></span> p99 latency (right, ms) — one point per second of load</figcaption>
</figure>`;
}

/** 1, 2, 2.5, 5 × 10^k at or above v: axis maxima a person reads at a glance. */
function niceCeil(v: number): number {
  const k = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * k >= v) return m * k;
  return 10 * k;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 1 : 0);
}
