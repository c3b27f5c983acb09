/**
 * `holistic diff A B`: two profiles taken anywhere (any format `holistic inspect` reads: py-spy raw, flame graph
 * SVG, speedscope), A the baseline and B the current one. The verdict fails (exit 1) when a function's self share
 * grew by more than the threshold, in points, with its interval above zero; a file that cannot be read is a usage
 * error (exit 2, from ProfileParseError). The core never prints: formatDiff renders it for a person.
 */
import { percent, type Verdict } from './assert/verdict.js';
import { diffProfiles as diffModel, regressions, type FunctionChange, type ProfileDiff } from './profile/diff.js';
import { readProfileAndFormat, type ProfileFormat } from './profile/read.js';
import { repairTruncated, truncatedFraction } from './profile/truncation.js';

export interface DiffOptions {
  /** Least growth of a self share, in points (1 = one percentage point), that fails the verdict. Default 1. */
  thresholdPoints?: number;
  confidence?: number;
  /** How many changes to keep in the result (largest first). Default 20. */
  top?: number;
}

export interface DiffResult {
  a: { file: string; format: ProfileFormat; samples: number; truncated_fraction: number };
  b: { file: string; format: ProfileFormat; samples: number; truncated_fraction: number };
  thresholdPoints: number;
  diff: ProfileDiff;
  regressions: FunctionChange[];
  verdict: Verdict;
}

export async function diffProfileFiles(fileA: string, fileB: string, options: DiffOptions = {}): Promise<DiffResult> {
  const threshold = options.thresholdPoints ?? 1;
  const [ra, rb] = await Promise.all([readProfileAndFormat(fileA), readProfileAndFormat(fileB)]);
  // Truncated stacks move `total`, not `self` (the leaf is kept), but re-rooting first keeps both sides alike.
  const full = diffModel(repairTruncated(ra.profile).profile, repairTruncated(rb.profile).profile, { confidence: options.confidence });
  const grown = regressions(full, threshold);
  const diff = { ...full, changes: full.changes.slice(0, options.top ?? 20) };
  const verdict: Verdict = {
    name: 'profile diff',
    pass: grown.length === 0,
    expected: `no function's self share grows by more than ${threshold} points (${Math.round(full.confidence * 100)}% interval above zero)`,
    actual: grown.length === 0
      ? `largest growth ${describe(full.changes.find((c) => c.delta.estimate > 0))}`
      : grown.map(describe).join('; '),
  };
  return {
    a: { file: fileA, format: ra.format, samples: ra.profile.totalWeight, truncated_fraction: truncatedFraction(ra.profile).fraction },
    b: { file: fileB, format: rb.format, samples: rb.profile.totalWeight, truncated_fraction: truncatedFraction(rb.profile).fraction },
    thresholdPoints: threshold,
    diff,
    regressions: grown,
    verdict,
  };
}

const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;

function describe(c: FunctionChange | undefined): string {
  if (!c) return 'none';
  return `${c.key} ${percent(c.selfA)} -> ${percent(c.selfB)} (${points(c.delta.estimate)} points, interval ${points(c.delta.low)} .. ${points(c.delta.high)})`;
}

export function formatDiff(result: DiffResult): string {
  const lines = [
    `A ${result.a.file}: ${result.a.format}, ${result.a.samples} samples${result.a.truncated_fraction > 0 ? `, ${percent(result.a.truncated_fraction)} truncated` : ''}`,
    `B ${result.b.file}: ${result.b.format}, ${result.b.samples} samples${result.b.truncated_fraction > 0 ? `, ${percent(result.b.truncated_fraction)} truncated` : ''}`,
    'self A   self B   change (points, interval)         function',
  ];
  for (const c of result.diff.changes) {
    if (c.kind === 'unchanged' && Math.abs(c.delta.estimate) < 0.001) continue;
    lines.push(
      `${percent(c.selfA).padStart(6)}   ${percent(c.selfB).padStart(6)}   ${`${points(c.delta.estimate)} (${points(c.delta.low)} .. ${points(c.delta.high)})`.padEnd(30)} ${c.kind.padEnd(9)} ${c.key}`,
    );
  }
  lines.push(`${result.verdict.pass ? 'PASS' : 'FAIL'} ${result.verdict.name}: expected ${result.verdict.expected}; actual ${result.verdict.actual}`);
  return lines.join('\n');
}
