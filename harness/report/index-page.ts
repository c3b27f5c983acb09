/**
 * `<out>/index.html`: every run found in the output folder, newest first, each linking to its report.
 * Rebuilt from the summary.json files after each run, so it never drifts from them and needs no state of its
 * own; a folder without a readable summary is skipped (a run still writing, or someone else's files).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { percent } from '../assert/verdict.js';
import { escapeHtml } from './escape.js';
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

export function renderIndex(entries: readonly IndexEntry[], title = 'holistic runs'): string {
  const passed = entries.filter((e) => e.summary.verdict === 'pass').length;
  const rows = entries.map(({ dir, summary: s }) => {
    const pass = s.verdict === 'pass';
    const top = s.hotspots?.[0];
    const report = `${encodeURIComponent(dir)}/report.html`;
    return `<tr>
<td><span class="badge ${pass ? 'pass' : 'fail'}">${pass ? 'pass' : s.interrupted ? 'stopped' : 'fail'}</span></td>
<td><a class="strong" href="${escapeHtml(report)}">${escapeHtml(s.scenario ?? dir)}</a>${s.error ? `<div class="muted">${escapeHtml(firstLine(s.error))}</div>` : ''}</td>
<td>${escapeHtml(s.target ?? '')}</td>
<td class="mono">${top ? `${escapeHtml(top.name)} <span class="muted">${percent(top.self)}</span>` : '<span class="muted">—</span>'}</td>
<td class="num">${s.load ? `${escapeHtml(s.load.rps)} req/s` : '—'}</td>
<td class="num">${s.load ? `${escapeHtml(s.load.p99_ms)} ms` : '—'}</td>
<td class="num">${escapeHtml(formatDate(s.startedAt))}</td>
<td class="mono muted">${escapeHtml(dir)}</td>
</tr>`;
  });
  // No script on this page: the policy allows none.
  return `${pageHead(title, "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")}
<body>
<header class="top"><div class="wrap">
<div class="eyebrow">holistic</div>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${entries.length} run${entries.length === 1 ? '' : 's'}, ${passed} passed · newest first · rewritten after each run</p>
</div></header>
<main>
<section id="runs">
${
  entries.length
    ? `<table class="runs">
<thead><tr><th></th><th>scenario</th><th>target</th><th>top hotspot</th><th class="num">throughput</th><th class="num">p99</th><th class="num">started</th><th>run</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`
    : '<p class="muted">No runs yet.</p>'
}
</section>
</main>
</body>
</html>
`;
}

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
