/**
 * Throughput and latency over the run as an inline SVG chart: bars for requests per second (left axis), lines
 * for p50 and p99 latency (right axis), with round ticks. The unprofiled phase, when the summary carries its
 * timeline, is drawn before zero on the same time axis. A second chart is the latency histogram from every
 * saved latency (load-series.json), on a log scale. Numbers only, so nothing here needs escaping.
 */
import type { LoadTimelinePoint } from '../load/responses.js';

const W = 1200;
const H = 260;
const PAD = { left: 70, right: 78, top: 16, bottom: 46 };

/** A per-second p50 is drawn for seconds with at least this many requests, p99 with at least P99_MIN. */
export const P50_MIN = 5;
export const P99_MIN = 100;

export function renderLoadChart(timeline: readonly LoadTimelinePoint[] | undefined, unprofiled?: readonly LoadTimelinePoint[]): string {
  if (!timeline?.length) return '<p class="muted">No per-second samples were recorded for this load.</p>';
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const before = unprofiled?.length ? unprofiled[unprofiled.length - 1]!.t_s + unprofiled[unprofiled.length - 1]!.span_s : 0;
  const after = timeline[timeline.length - 1]!.t_s + timeline[timeline.length - 1]!.span_s;
  const all = [...(unprofiled ?? []), ...timeline];
  const rpsAxis = niceAxis(Math.max(...all.map((p) => p.rps), 1));
  const msAxis = niceAxis(Math.max(...all.map((p) => (p.requests >= P50_MIN ? (p.requests >= P99_MIN ? p.p99_ms : p.p50_ms) ?? 0 : 0)), 1));
  const span = before + after;
  const xOf = (t: number) => PAD.left + ((t + before) / span) * plotW;
  const yRps = (v: number) => PAD.top + plotH - (v / rpsAxis.max) * plotH;
  const yMs = (v: number) => PAD.top + plotH - (v / msAxis.max) * plotH;

  const grid: string[] = [];
  for (const v of rpsAxis.ticks) {
    const y = yRps(v);
    grid.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/>`);
    grid.push(`<text class="axis" x="${PAD.left - 8}" y="${y + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (const v of msAxis.ticks) grid.push(`<text class="axis" x="${W - PAD.right + 8}" y="${yMs(v) + 4}">${fmt(v)}</text>`);
  const tAxis = niceAxis(span, 12);
  for (let t = -Math.floor(before / tAxis.step) * tAxis.step; t <= after + 1e-9; t += tAxis.step) {
    grid.push(`<text class="axis" x="${xOf(t)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  if (before) {
    grid.push(`<rect class="phase" x="${PAD.left}" y="${PAD.top}" width="${(xOf(0) - PAD.left).toFixed(1)}" height="${plotH}"/>`);
    grid.push(`<line class="zero" x1="${xOf(0)}" x2="${xOf(0)}" y1="${PAD.top}" y2="${PAD.top + plotH}"/>`);
    grid.push(`<text class="axis" x="${xOf(-before / 2)}" y="${PAD.top + 14}" text-anchor="middle">unprofiled</text>`);
    grid.push(`<text class="axis" x="${xOf(after / 2)}" y="${PAD.top + 14}" text-anchor="middle">profiled</text>`);
  }
  grid.push(`<text class="axis-title" x="${PAD.left + plotW / 2}" y="${H - 6}" text-anchor="middle">seconds since the profiled load started</text>`);
  grid.push(`<text class="axis-title" transform="translate(18 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">requests / s</text>`);
  grid.push(`<text class="axis-title" transform="translate(${W - 16} ${PAD.top + plotH / 2}) rotate(90)" text-anchor="middle">latency (ms)</text>`);

  const bar = (p: LoadTimelinePoint, offset: number, cls: string) => {
    const x = xOf(p.t_s + offset) + 1;
    const w = Math.max(1, (p.span_s / span) * plotW - 2);
    const y = yRps(p.rps);
    const tip = `${fmt(p.t_s + offset)}–${fmt(p.t_s + offset + p.span_s)} s: ${p.requests} requests (${p.rps} req/s)` +
      (p.p50_ms !== undefined && p.requests >= P50_MIN ? `, p50 ${p.p50_ms} ms` : '') +
      (p.p99_ms !== undefined && p.requests >= P99_MIN ? `, p99 ${p.p99_ms} ms` : '') +
      (p.max_ms !== undefined ? `, max ${p.max_ms} ms` : '') + (p.non2xx ? `, ${p.non2xx} non-2xx` : '');
    return `<rect class="rps ${cls}${p.non2xx ? ' bad' : ''}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${(PAD.top + plotH - y).toFixed(1)}"><title>${tip}</title></rect>`;
  };
  const bars = [...(unprofiled ?? []).map((p) => bar(p, -before, 'unprof')), ...timeline.map((p) => bar(p, 0, 'prof'))];
  const line = (points: readonly LoadTimelinePoint[], offset: number, key: 'p50_ms' | 'p99_ms', min: number) =>
    points
      .filter((p) => p[key] !== undefined && p.requests >= min)
      .map((p, i) => `${i ? 'L' : 'M'}${xOf(p.t_s + offset + p.span_s / 2).toFixed(1)} ${yMs(p[key]!).toFixed(1)}`)
      .join(' ');
  const lines = (key: 'p50_ms' | 'p99_ms', min: number) =>
    [line(unprofiled ?? [], -before, key, min), line(timeline, 0, key, min)].filter(Boolean).map((d) => `<path class="${key.slice(0, 3)}" d="${d}"/>`).join('');
  const p99Seconds = all.filter((p) => p.requests >= P99_MIN).length;
  const p50Seconds = all.filter((p) => p.requests >= P50_MIN).length;
  return `<figure class="chart">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="throughput and latency per second">
${grid.join('\n')}
${bars.join('\n')}
${lines('p99_ms', P99_MIN)}
${lines('p50_ms', P50_MIN)}
</svg>
<figcaption><span><span class="key rps"></span> requests per second (left)</span> <span><span class="key p50"></span> p50</span> <span><span class="key p99"></span> p99 latency (right, ms)</span>
<span class="muted">— a second's p50 is drawn when it had ≥ ${P50_MIN} requests (${p50Seconds} of ${all.length} seconds), its p99 when it had ≥ ${P99_MIN} (${p99Seconds}); fewer requests cannot place a percentile.${before ? '' : ' The unprofiled phase is not in this summary.'}</span></figcaption>
</figure>`;
}

/** Latency histogram on a log scale: 5 bins per decade, from every latency the load saved. */
export function renderLatencyHistogram(latencies: readonly number[] | undefined, marks: { p50?: number; p99?: number } = {}): string {
  const values = (latencies ?? []).filter((v) => Number.isFinite(v) && v > 0);
  if (!values.length) return '';
  const HW = 1200;
  const HH = 220;
  const P = { left: 70, right: 56, top: 14, bottom: 46 };
  const perDecade = 5;
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values)) + 1e-9));
  const bins = new Array<number>((hi - lo) * perDecade).fill(0);
  for (const v of values) bins[Math.min(bins.length - 1, Math.floor((Math.log10(v) - lo) * perDecade))]!++;
  const yAxis = niceAxis(Math.max(...bins, 1), 5, 1);
  const plotW = HW - P.left - P.right;
  const plotH = HH - P.top - P.bottom;
  const xOf = (ms: number) => P.left + ((Math.log10(ms) - lo) / (hi - lo)) * plotW;
  const yOf = (n: number) => P.top + plotH - (n / yAxis.max) * plotH;
  const out: string[] = [];
  for (const v of yAxis.ticks) {
    out.push(`<line class="grid" x1="${P.left}" x2="${HW - P.right}" y1="${yOf(v)}" y2="${yOf(v)}"/>`);
    out.push(`<text class="axis" x="${P.left - 8}" y="${yOf(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (let k = lo; k <= hi; k++) out.push(`<text class="axis" x="${xOf(10 ** k)}" y="${HH - P.bottom + 18}" text-anchor="middle">${k >= 3 ? `${fmt(10 ** (k - 3))} s` : `${fmt(10 ** k)} ms`}</text>`);
  bins.forEach((n, i) => {
    if (!n) return;
    const a = 10 ** (lo + i / perDecade);
    const b = 10 ** (lo + (i + 1) / perDecade);
    out.push(`<rect class="hist" x="${(xOf(a) + 1).toFixed(1)}" y="${yOf(n).toFixed(1)}" width="${Math.max(1, xOf(b) - xOf(a) - 2).toFixed(1)}" height="${(P.top + plotH - yOf(n)).toFixed(1)}"><title>${fmt(a)}–${fmt(b)} ms: ${n} requests</title></rect>`);
  });
  for (const [name, v] of Object.entries(marks)) {
    if (!(typeof v === 'number' && v > 0)) continue;
    out.push(`<line class="mark ${name}" x1="${xOf(v)}" x2="${xOf(v)}" y1="${P.top}" y2="${P.top + plotH}"/><text class="axis" x="${xOf(v) + 4}" y="${P.top + 12}">${name} ${fmt(v)} ms</text>`);
  }
  out.push(`<text class="axis-title" x="${P.left + plotW / 2}" y="${HH - 6}" text-anchor="middle">latency (ms, log scale)</text>`);
  out.push(`<text class="axis-title" transform="translate(18 ${P.top + plotH / 2}) rotate(-90)" text-anchor="middle">requests</text>`);
  return `<figure class="chart hist">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${HW} ${HH}" width="100%" role="img" aria-label="latency histogram">
${out.join('\n')}
</svg>
<figcaption>Latency of each of the ${values.length} saved requests, ${perDecade} bins per tenfold.</figcaption>
</figure>`;
}

/** Round ticks: a step of 1, 2 or 5 × 10^k giving at most `count` intervals, and the maximum it reaches. */
export function niceAxis(v: number, count = 5, minStep = 0): { max: number; step: number; ticks: number[] } {
  const raw = Math.max(v / count, minStep, 1e-9);
  const k = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * k).find((s) => s >= raw)!;
  const max = Math.max(step, Math.ceil(v / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let t = 0; t <= max + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { max, step, ticks };
}

function fmt(v: number): string {
  const r = Number(v.toPrecision(12));
  return Number.isInteger(r) ? String(r) : r < 10 ? r.toFixed(r < 1 ? 2 : 1) : r.toFixed(0);
}
