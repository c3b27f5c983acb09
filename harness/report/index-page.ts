/**
 * `<out>/index.html`: every run found in the output folder, newest first, each linking to its report.
 * Rebuilt from the summary.json files after each run, so it never drifts from them and needs no state of its
 * own; a folder without a readable summary is skipped (a run still writing, or someone else's files).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { percent } from '../assert/verdict.js';
import { escapeHtml } from './escape.js';
import { dedupeWarnings } from './html.js';
import { pageHead } from './style.js';
import type { RunSummary } from './summary.js';

export interface IndexEntry {
  /** Folder name under the output folder. */
  dir: string;
  summary: Partial<RunSummary>;
}

export async function readRuns(outDir: string): Promise<IndexEntry[]> {
  const dirs = await readdir(outDir, { withFileTypes: true }).catch(() => []);
  const entries: IndexEntry[] = [];
  for (const d of dirs) {
    if (!d.isDirectory()) continue;
    try {
      const summary = JSON.parse(await readFile(path.join(outDir, d.name, 'summary.json'), 'utf8')) as Partial<RunSummary>;
      if (summary && typeof summary === 'object') entries.push({ dir: d.name, summary });
    } catch {
      // Not a run folder, or one still being written.
    }
  }
  return entries.sort((a, b) => String(b.summary.startedAt ?? '').localeCompare(String(a.summary.startedAt ?? '')) || b.dir.localeCompare(a.dir));
}

/** Loose view of the fields the dashboard reads; older summaries lack some. */
type Loose = Partial<RunSummary> & {
  version?: string;
  versions?: Record<string, string>;
  observer?: { sampling?: { mode?: string } | null } | null;
  load?: (RunSummary['load'] & { app_cpu_ms_per_request?: number; others_cores?: number }) | null;
};

/** Neighbours using more than this many cores make a run's latency and throughput unreliable. */
export const BUSY_NEIGHBOURS_CORES = 1;
/** A change vs the previous comparable run is flagged beyond these ratios. */
export const CPU_CHANGE = 0.15;
export const P99_CHANGE = 0.5;

export interface RunPoint {
  entry: IndexEntry;
  cpu?: number;
  p99?: number;
  top?: number;
  /** Why this run cannot be compared with the one before it in its group (empty: comparable). */
  notComparable: string[];
  /** Set when neighbours were busy: latency is not compared, CPU per request still is. */
  caveat?: string;
  /** Changes vs the previous comparable run, e.g. `CPU/request +31%`. */
  changes: { text: string; worse: boolean; comparable: boolean }[];
}

const holisticVersion = (s: Loose) => s.version ?? s.versions?.holistic;

/** What a run must share with the previous one to be compared with it; each difference is named. */
export function differences(a: Loose, b: Loose): string[] {
  const out: string[] = [];
  const mode = (s: Loose) => s.observer?.sampling?.mode;
  if (mode(a) !== mode(b)) out.push(`sampling ${mode(a) ?? '?'} → ${mode(b) ?? '?'}`);
  if (a.options?.duration_s !== b.options?.duration_s) out.push(`duration ${a.options?.duration_s ?? '?'} s → ${b.options?.duration_s ?? '?'} s`);
  const env = (s: Loose) => JSON.stringify(Object.entries(s.options?.app_env ?? {}).sort());
  if (env(a) !== env(b)) {
    const fmtEnv = (s: Loose) => Object.entries(s.options?.app_env ?? {}).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
    out.push(`app env ${fmtEnv(a)} → ${fmtEnv(b)}`);
  }
  if (holisticVersion(a) !== holisticVersion(b)) out.push(`holistic ${holisticVersion(a) ?? '?'} → ${holisticVersion(b) ?? '?'}`);
  return out;
}

/** Neighbours disturb latency and throughput, not the app's own CPU per request: they only mark p99 as not comparable. */
export function busyNeighbours(a: Loose, b: Loose): string | undefined {
  const busy = (s: Loose) => (s.load?.others_cores ?? 0) > BUSY_NEIGHBOURS_CORES;
  return busy(a) || busy(b) ? `busy neighbours (${(a.load?.others_cores ?? 0).toFixed(1)} → ${(b.load?.others_cores ?? 0).toFixed(1)} cores): p99 not compared` : undefined;
}

/** Groups runs by scenario and target, oldest first, each compared with the previous comparable run. */
export function trends(entries: readonly IndexEntry[]): Map<string, RunPoint[]> {
  const groups = new Map<string, RunPoint[]>();
  const ordered = [...entries].sort((a, b) => String(a.summary.startedAt ?? '').localeCompare(String(b.summary.startedAt ?? '')) || a.dir.localeCompare(b.dir));
  for (const entry of ordered) {
    const s = entry.summary as Loose;
    const key = `${s.scenario ?? entry.dir} on ${s.target ?? '?'}`;
    const list = groups.get(key) ?? [];
    const point: RunPoint = { entry, cpu: s.load?.app_cpu_ms_per_request, p99: s.load?.p99_ms, top: s.hotspots?.[0]?.self, notComparable: [], changes: [] };
    const previous = list[list.length - 1];
    if (previous) {
      point.notComparable = differences(previous.entry.summary as Loose, s);
      // The last run this one can be compared with: same settings, quiet machine.
      // Without one, the change vs the previous run is still shown, marked as between different setups.
      const same = [...list].reverse().find((p) => differences(p.entry.summary as Loose, s).length === 0);
      const base = same ?? previous;
      const comparable = same !== undefined;
      {
        const rel = (a?: number, b?: number) => (a && b !== undefined && a > 0 ? b / a - 1 : undefined);
        const cpu = rel(base.cpu, point.cpu);
        if (cpu !== undefined && Math.abs(cpu) > CPU_CHANGE) point.changes.push({ text: `CPU/request ${signed(cpu)}`, worse: cpu > 0, comparable });
        point.caveat = busyNeighbours(base.entry.summary as Loose, s);
        const p99 = point.caveat ? undefined : rel(base.p99, point.p99);
        if (p99 !== undefined && Math.abs(p99) > P99_CHANGE) point.changes.push({ text: `p99 ×${(1 + p99).toFixed(2)}`, worse: p99 > 0, comparable });
      }
    }
    list.push(point);
    groups.set(key, list);
  }
  return groups;
}

function signed(x: number): string {
  return `${x > 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(0)}%`;
}

/** One small line chart per metric: runs left (oldest) to right, each point a run. */
function trendChart(points: readonly RunPoint[], key: 'cpu' | 'p99' | 'top', title: string, unit: (v: number) => string): string {
  const values = points.map((p) => p[key]);
  const known = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!known.length) return `<div class="trend"><div class="label">${title}</div><p class="muted">not recorded</p></div>`;
  const W = 300;
  const H = 90;
  const P = { l: 8, r: 8, t: 10, b: 10 };
  const max = Math.max(...known) * 1.1 || 1;
  const x = (i: number) => P.l + (points.length === 1 ? (W - P.l - P.r) / 2 : (i / (points.length - 1)) * (W - P.l - P.r));
  const y = (v: number) => P.t + (H - P.t - P.b) * (1 - v / max);
  let d = '';
  const dots: string[] = [];
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return;
    d += `${d ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)} `;
    const p = points[i]!;
    const cls = p.changes.some((c) => c.worse) ? 'worse' : p.notComparable.length ? 'nc' : '';
    dots.push(`<circle class="${cls}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="4"><title>${escapeHtml(`${p.entry.dir}: ${unit(v)}${p.notComparable.length ? ` (not comparable: ${p.notComparable.join('; ')})` : ''}`)}</title></circle>`);
  });
  const last = known[known.length - 1]!;
  return `<div class="trend"><div class="label">${title} <b>${escapeHtml(unit(last))}</b></div><svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${title} over runs"><path d="${d.trim()}"/>${dots.join('')}</svg></div>`;
}

export function renderIndex(entries: readonly IndexEntry[], title = 'holistic runs'): string {
  const passed = entries.filter((e) => e.summary.verdict === 'pass').length;
  const groups = trends(entries);
  const byDir = new Map<string, RunPoint>();
  for (const list of groups.values()) for (const p of list) byDir.set(p.entry.dir, p);
  const rows = entries.map(({ dir, summary }) => {
    const s = summary as Loose;
    const pass = s.verdict === 'pass';
    const top = s.hotspots?.[0];
    const report = `${encodeURIComponent(dir)}/report.html`;
    const point = byDir.get(dir);
    const warnings = dedupeWarnings(s.warnings ?? []);
    const flags = [
      ...(point?.changes ?? []).map((c) => `<span class="badge ${c.worse ? 'fail' : 'pass'}${c.comparable ? '' : ' dim'}" title="${c.comparable ? 'vs the previous comparable run' : 'vs the previous run, which had other settings'}">${escapeHtml(c.text)}</span>`),
      ...(point?.notComparable.length ? [`<span class="badge neutral" title="${escapeHtml(point.notComparable.join('; '))}">not comparable</span><div class="muted small">${escapeHtml(point.notComparable.join('; '))}</div>`] : []),
      ...(point?.caveat ? [`<div class="muted small">${escapeHtml(point.caveat)}</div>`] : []),
    ];
    return `<tr>
<td data-v="${pass ? 1 : 0}"><span class="badge ${pass ? 'pass' : 'fail'}">${pass ? 'pass' : s.interrupted ? 'stopped' : 'fail'}</span></td>
<td data-v="${escapeHtml(s.scenario ?? dir)}"><a class="strong" href="${escapeHtml(report)}">${escapeHtml(s.scenario ?? dir)}</a> <span class="muted">${escapeHtml(s.target ?? '')}</span>${s.error ? `<div class="muted">${escapeHtml(firstLine(s.error))}</div>` : ''}</td>
<td class="mono" data-v="${top?.self ?? -1}">${top ? `${escapeHtml(top.name)} <span class="muted">${percent(top.self)}</span>` : '<span class="muted">—</span>'}</td>
<td class="num" data-label="CPU/request" data-v="${s.load?.app_cpu_ms_per_request ?? -1}">${s.load?.app_cpu_ms_per_request !== undefined ? `${escapeHtml(Math.round(s.load.app_cpu_ms_per_request))} ms` : '—'}</td>
<td class="num" data-label="throughput" data-v="${s.load?.rps ?? -1}">${s.load ? `${escapeHtml(s.load.rps)} req/s` : '—'}</td>
<td class="num" data-label="p99" data-v="${s.load?.p99_ms ?? -1}">${s.load ? `${escapeHtml(s.load.p99_ms)} ms` : '—'}</td>
<td data-v="${flags.length}">${flags.join(' ')}</td>
<td data-v="${warnings.length}">${warnings.length ? `<details><summary>${warnings.length} warning${warnings.length === 1 ? '' : 's'}</summary><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></details>` : '<span class="muted">none</span>'}</td>
<td class="num" data-v="${escapeHtml(s.startedAt ?? '')}">${escapeHtml(formatDate(s.startedAt))}<div class="mono muted small">${escapeHtml(dir)}</div></td>
</tr>`;
  });
  const cards = [...groups].map(([key, points]) => {
    const worse = points[points.length - 1]!.changes.filter((c) => c.worse);
    return `<section class="group"><h2>${escapeHtml(key)} <small>${points.length} run${points.length === 1 ? '' : 's'}</small>${worse.length ? ` <span class="badge fail">${escapeHtml(worse.map((c) => c.text).join(', '))} vs previous</span>` : ''}</h2>
<div class="trends">
${trendChart(points, 'cpu', 'CPU per request', (v) => `${Math.round(v)} ms`)}
${trendChart(points, 'p99', 'latency p99', (v) => `${v} ms`)}
${trendChart(points, 'top', 'top hotspot share', (v) => percent(v))}
</div></section>`;
  });
  return `${pageHead(title, indexPolicy)}
<body>
<header class="top"><div class="wrap">
<div class="eyebrow">holistic</div>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${entries.length} run${entries.length === 1 ? '' : 's'}, ${passed} passed · newest first · rewritten after each run</p>
</div></header>
<main>
${cards.join('\n')}
<section id="runs">
${
  entries.length
    ? `<p class="muted">Each run is compared with the previous run of the same scenario and target that used the same sampling mode, duration, app environment and holistic version: CPU per request beyond ±${CPU_CHANGE * 100}% is flagged, and p99 beyond ×${1 + P99_CHANGE} when neither run had busy neighbours (over ${BUSY_NEIGHBOURS_CORES} core). Click a column title to sort.</p>
<div class="scroll"><table class="runs sortable">
<thead><tr><th data-sort="num"></th><th data-sort="text">scenario</th><th data-sort="num">top hotspot</th><th class="num" data-sort="num">CPU/req</th><th class="num" data-sort="num">throughput</th><th class="num" data-sort="num">p99</th><th data-sort="num">change</th><th data-sort="num">warnings</th><th class="num" data-sort="text" aria-sort="descending">started</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`
    : '<p class="muted">No runs yet.</p>'
}
</section>
</main>
<script>${sortScript}</script>
</body>
</html>
`;
}

/** Click a column title to sort by it (again to reverse); values come from data-v. */
export const sortScript = `(() => {
  for (const table of document.querySelectorAll('table.sortable')) {
    const heads = Array.from(table.tHead.rows[0].cells);
    heads.forEach((th, col) => {
      th.tabIndex = 0;
      const sort = () => {
        const asc = th.getAttribute('aria-sort') !== 'ascending';
        for (const h of heads) h.removeAttribute('aria-sort');
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        const num = th.dataset.sort === 'num';
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const v = (r) => r.cells[col].dataset.v || '';
        rows.sort((a, b) => (num ? Number(v(a)) - Number(v(b)) : v(a).localeCompare(v(b))) * (asc ? 1 : -1));
        for (const r of rows) body.append(r);
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (e) => { if (e.key === 'Enter') sort(); });
    });
  }
})();`;

export const indexPolicy = `default-src 'none'; script-src 'sha256-${createHash('sha256').update(sortScript).digest('base64')}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'`;

/** Rewrite `<outDir>/index.html` from the run folders found there; returns its path. */
export async function writeIndex(outDir: string): Promise<string> {
  const file = path.join(outDir, 'index.html');
  await writeFile(file, renderIndex(await readRuns(outDir)));
  return file;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 200);
}

function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
}
