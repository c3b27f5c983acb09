/**
 * Load with k6 when a scenario names a k6 script (TypeScript typed with @types/k6; k6 >= 0.57 runs .ts
 * directly). The script gets the target as __ENV.HOLISTIC_URL and must export the harness's handleSummary
 * (scenarios/k6/summary.ts), which writes k6's end-of-test summary to __ENV.HOLISTIC_SUMMARY; that JSON is
 * mapped to the same LoadResult autocannon gives. k6 is not installed by the harness: missing → exit 3.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PrerequisiteError, RunError } from '../errors.js';
import { run, tail } from '../exec.js';
import { summarizeK6, type K6SummaryData } from './k6-summary.js';
import type { LoadResult } from './types.js';

export const K6_MISSING =
  'this scenario loads the app with k6, but no `k6` binary is on PATH. Install k6 >= 0.57 (it runs TypeScript ' +
  'scripts directly; see https://grafana.com/docs/k6/latest/set-up/install-k6/) or choose a scenario that uses autocannon.';

export async function k6Version(): Promise<string> {
  const result = await run('k6', ['version'], { timeoutMs: 10_000, reject: false }).catch(() => undefined);
  if (!result || result.exitCode !== 0) throw new PrerequisiteError(K6_MISSING);
  return result.stdout.trim();
}

export interface K6Options {
  script: string;
  url: string;
  durationS: number;
  vus: number;
  scratchDir: string;
  signal?: AbortSignal;
}

export async function runK6(options: K6Options): Promise<LoadResult> {
  await k6Version();
  const summaryPath = path.join(options.scratchDir, `k6-summary-${Date.now()}.json`);
  const argv = [
    'run', '--quiet',
    '--vus', String(options.vus),
    '--duration', `${options.durationS}s`,
    '--summary-trend-stats', 'avg,min,med,max,p(90),p(95),p(99)',
    '--env', `HOLISTIC_URL=${options.url}`,
    '--env', `HOLISTIC_SUMMARY=${summaryPath}`,
    options.script,
  ];
  const result = await run('k6', argv, { timeoutMs: (options.durationS + 120) * 1000, signal: options.signal, reject: false, killSignal: 'SIGINT' });
  // k6 exits 99 when a threshold failed: the run still happened and its summary is what we read.
  if (result.exitCode !== 0 && result.exitCode !== 99) {
    throw new RunError(`k6 failed with exit code ${result.exitCode}: ${result.command}\n${tail(result.stderr || result.stdout, 8)}`);
  }
  let data: K6SummaryData;
  try {
    data = JSON.parse(await readFile(summaryPath, 'utf8')) as K6SummaryData;
  } catch (error) {
    throw new RunError(
      `k6 wrote no summary to ${summaryPath}: the script must export handleSummary from scenarios/k6/summary.ts (${(error as Error).message})`,
    );
  }
  return summarizeK6(data, { url: options.url, connections: options.vus }, summaryPath);
}
