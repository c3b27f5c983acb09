/**
 * A short markdown summary of a run for CI pages: appended to $GITHUB_STEP_SUMMARY when set (GitHub Actions
 * renders it on the job's page). Pure rendering in renderMarkdown; appending is the only I/O. Everything from
 * a profile or the app is escaped for markdown tables (pipes, backticks, angle brackets, newlines).
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { percent } from '../assert/verdict.js';
import type { RunSummary } from './summary.js';

export function escapeMarkdown(text: unknown): string {
  return String(text)
    .replace(/[\\`*_[\]|<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`))
    .replace(/\r?\n/g, ' ');
}

export function renderMarkdown(summary: RunSummary, reportPath?: string): string {
  const icon = (pass: boolean) => (pass ? '✅' : '❌');
  const lines = [
    `### ${icon(summary.verdict === 'pass')} holistic: ${escapeMarkdown(summary.scenario)} on ${escapeMarkdown(summary.target)} — ${summary.verdict.toUpperCase()}`,
    '',
  ];
  if (summary.error) lines.push(`**${summary.interrupted ? 'interrupted' : 'error'}:** ${escapeMarkdown(summary.error)}`, '');
  if (summary.verdicts.length) {
    lines.push('| | verdict | expected | actual |', '|---|---|---|---|');
    for (const v of summary.verdicts) lines.push(`| ${icon(v.pass)} | ${escapeMarkdown(v.name)} | ${escapeMarkdown(v.expected)} | ${escapeMarkdown(v.actual)} |`);
    lines.push('');
  }
  const o = summary.observer;
  if (o) {
    lines.push(
      `**Observer effect** (profiled / unprofiled${o.sampling ? `, py-spy ${o.sampling.mode}, ${o.sampling.samplers} sampler${o.sampling.samplers === 1 ? '' : 's'}` : ''}): ` +
        `throughput ×${o.rps_ratio.toFixed(2)}, p99 ×${o.p99_ratio.toFixed(2)}`,
      '',
    );
  } else {
    lines.push('**Observer effect:** not measured in this run', '');
  }
  if (summary.load) {
    const l = summary.load;
    lines.push(`**Load** (${escapeMarkdown(l.generator)}): ${l.rps} req/s, p50 ${l.p50_ms} ms, p90 ${l.p90_ms} ms, p99 ${l.p99_ms} ms, ${l.requests} requests, ${l.errors} errors, ${l.non2xx} non-2xx`, '');
  }
  const top = summary.hotspots[0];
  if (top) lines.push(`**Top hotspot:** \`${escapeMarkdown(top.name)}\` (${escapeMarkdown(top.file ?? '?')}) self ${percent(top.self)} of ${summary.samples} samples`, '');
  for (const w of summary.warnings) lines.push(`> ⚠️ ${escapeMarkdown(w)}`, '');
  if (reportPath) lines.push(`Report: \`${escapeMarkdown(reportPath)}\``, '');
  return lines.join('\n') + '\n';
}

export async function appendStepSummary(file: string, summary: RunSummary, runDir: string): Promise<void> {
  await appendFile(file, renderMarkdown(summary, path.relative(process.cwd(), path.join(runDir, 'report.html'))));
}
