/** What `holistic run` prints on stdout when a run ends: verdicts, the top hotspot, the load, the observer effect. */
import path from 'node:path';
import { formatVerdict } from './assert/format.js';
import { percent } from './assert/verdict.js';
import { formatInfo } from './baseline/gate.js';
import { formatLoad } from './load/autocannon.js';
import { formatObserver } from './observer/effect.js';
import type { RunOutcome } from './run.js';

export function printOutcome(io: { out(text: string): void; err(text: string): void }, outcome: RunOutcome, outDir: string): void {
  const { summary } = outcome;
  for (const verdict of summary.verdicts) io.out(formatVerdict(verdict));
  if (summary.hotspots.length) {
    const top = summary.hotspots[0]!;
    io.out(`top hotspot: ${top.name} (${top.file ?? '?'}) self ${percent(top.self)} of ${summary.samples} samples`);
  }
  if (summary.truncated_fraction) {
    io.out(`truncated stacks: ${percent(summary.truncated_fraction)} of samples had no thread root; ${percent(summary.truncated_repaired_fraction ?? 0)} re-rooted onto complete stacks, ${percent(summary.truncated_unrepaired_fraction ?? 0)} left as they were`);
  }
  if (summary.gil) io.out(`GIL: held in ${percent(summary.gil.held)} of samples, active without it (waiting, or in C code that released it) in ${percent(summary.gil.waiting)}`);
  if (summary.load) io.out(`load: ${formatLoad(summary.load)}`);
  if (summary.observer) io.out(formatObserver(summary.observer));
  for (const c of summary.baseline?.comparisons.filter((x) => !x.gated) ?? []) io.out(formatInfo(c));
  if (summary.error) io.err(`holistic: ${summary.interrupted ? 'interrupted' : 'error'}: ${summary.error}`);
  io.err(`holistic: all runs: ${path.join(outDir, 'index.html')}`);
  io.out(`${summary.verdict === 'pass' ? 'PASS' : 'FAIL'} ${summary.scenario} on ${summary.target}: report ${path.relative(process.cwd(), path.join(outcome.runDir, 'report.html')) || outcome.runDir}`);
}
