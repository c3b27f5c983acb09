/**
 * A baseline file: what a good run measured, with enough raw data to compare a later run statistically
 * (per-second throughput, per-request latencies, hotspot sample counts) and the environment it was taken in.
 * Versioned; reading one checks the version, the scenario and the shape, and fails as a usage error (exit 2)
 * naming the problem.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { LoadResult } from '../load/types.js';
import type { LoadSeries } from '../load/responses.js';

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
  /** The run's profile as collapsed stacks (`a;b;c N`), for the differential flame graph. Absent in older files. */
  collapsed?: string[];
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
  return parseBaseline(text, file, scenario);
}

/** The checks of readBaseline on text already read: a Baseline, or a UsageError naming the problem. */
export function parseBaseline(text: string, file: string, scenario: string): Baseline {
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
    throw new UsageError(`baseline ${file} was taken for scenario ${JSON.stringify(b.scenario)}, not "${scenario}": pass the baseline of this scenario`);
  }
  // Every value the comparison reads is checked here (the fuzz test found crashes on a null where a number goes).
  const parsed = baselineShape.safeParse(b);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new UsageError(`baseline ${file} is corrupt: missing or malformed ${problems.join('; ')}`);
  }
  return b as Baseline;
}

const count = z.number().finite().nonnegative();
const baselineShape = z
  .object({
    environment: z.record(z.string(), z.string()),
    load: z
      .object({ rps: count, p50_ms: count, p90_ms: count, p99_ms: count, requests: count, connections: count, duration_s: count, app_cpu_ms_per_request: count.optional() })
      .loose()
      .nullable(),
    series: z
      .object({ per_second: z.array(count), latencies_ms: z.array(count), latencies_seen: count, app_cpu_s: count.optional(), requests_sent: count.optional() })
      .loose()
      .nullable(),
    hotspots: z.object({ totalSamples: count, frames: z.array(z.object({ name: z.string(), file: z.string().optional(), samples: count }).loose()) }).loose(),
    collapsed: z.array(z.string().regex(/ \d+$/, 'a collapsed stack line (`frame;…;leaf COUNT`)')).optional(),
  })
  .loose();
