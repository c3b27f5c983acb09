/**
 * A baseline file: what a good run measured, with enough raw data to compare a later run statistically
 * (per-second throughput, per-request latencies, hotspot sample counts) and the environment it was taken in.
 * Versioned; reading one checks the version, the scenario and the shape, and fails as a usage error (exit 2)
 * naming the problem.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { LoadResult } from '../load/types.js';
import type { LoadSeries } from '../load/series.js';

export const BASELINE_SCHEMA = 'holistic-baseline/1';

export interface BaselineFrame {
  name: string;
  file: string | undefined;
  /** Samples whose leaf is this frame. */
  samples: number;
}

export interface Baseline {
  schema: typeof BASELINE_SCHEMA;
  scenario: string;
  createdAt: string;
  runId: string;
  /** Where it was measured: target, cores, versions, load and sampling settings. Compared, not enforced. */
  environment: Record<string, string>;
  load: LoadResult | null;
  series: LoadSeries | null;
  hotspots: { totalSamples: number; frames: BaselineFrame[] };
}

export async function writeBaseline(file: string, baseline: Baseline): Promise<void> {
  await writeFile(file, JSON.stringify(baseline, null, 1) + '\n');
}

export async function readBaseline(file: string, scenario: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read baseline ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`baseline ${file} is not valid JSON (corrupt or truncated?): ${(error as Error).message}`);
  }
  const b = data as Partial<Baseline> | null;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new UsageError(`baseline ${file} is not a holistic baseline (expected a JSON object)`);
  if (b.schema !== BASELINE_SCHEMA) {
    throw new UsageError(
      `baseline ${file} has schema ${JSON.stringify(b.schema ?? null)}, this holistic reads ${JSON.stringify(BASELINE_SCHEMA)}: ` +
        'take a new baseline with --save-baseline',
    );
  }
  if (b.scenario !== scenario) {
    throw new UsageError(`baseline ${file} was taken for scenario "${String(b.scenario)}", not "${scenario}": pass the baseline of this scenario`);
  }
  const problems: string[] = [];
  if (!b.environment || typeof b.environment !== 'object') problems.push('environment');
  if (b.series !== null && !(Array.isArray(b.series?.per_second) && Array.isArray(b.series?.latencies_ms))) problems.push('series');
  if (!b.hotspots || typeof b.hotspots.totalSamples !== 'number' || !Array.isArray(b.hotspots.frames)) problems.push('hotspots');
  if (b.load !== null && typeof b.load?.rps !== 'number') problems.push('load');
  if (problems.length) throw new UsageError(`baseline ${file} is corrupt: missing or malformed ${problems.join(', ')}`);
  return b as Baseline;
}
