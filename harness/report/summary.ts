/** summary.json: the contract other tools read (DESIGN.md). Field names are part of the contract. */
import type { Hotspot } from '../assert/hotspot.js';
import type { Verdict } from '../assert/verdict.js';
import type { LoadResult } from '../load/types.js';
import type { BaselineBlock } from '../baseline/gate.js';
import type { ObserverEffect } from '../observer/effect.js';

export interface RunSummary {
  schema: 1;
  runId: string;
  scenario: string;
  target: string;
  /** `pass` only if every verdict passed and there was at least one. */
  verdict: 'pass' | 'fail';
  /** Set when the run did not finish (Ctrl-C, an error): what was collected so far is still here. */
  interrupted?: boolean;
  error?: string;
  verdicts: Verdict[];
  hotspots: Hotspot[];
  samples: number;
  /** Samples without their thread root (py-spy nonblocking), and the parts re-rooted onto complete stacks or not. */
  truncated_fraction?: number;
  truncated_repaired_fraction?: number;
  truncated_unrepaired_fraction?: number;
  /** With a GIL sampler: the share of samples holding the GIL and the share active without it. */
  gil?: { held: number; waiting: number; samples: number; gil_samples: number };
  load: LoadResult | null;
  /** Profiled / unprofiled throughput and latency: what the profiler cost the app (null: not measured). */
  observer: ObserverEffect | null;
  /** Set with --baseline: each metric's comparison (change, interval, outcome). */
  baseline?: BaselineBlock;
  app: { name: string; url: string; description: string; hostPid?: number };
  debugContainer: { image: string | null; capabilities: string[]; privileged: boolean; name?: string; target?: string } | null;
  durations: { setup_s: number; profile_s: number; teardown_s: number };
  artifacts: Record<string, string>;
  warnings: string[];
  /** The last `py-spy dump` taken, if any: every thread, innermost frame first. */
  threads?: { id: string; name: string; status: string; idle: boolean; frames: string[] }[];
  /** Where it ran, read back from the engine or cluster: engine, images and their IDs, … */
  environment: Record<string, string>;
  startedAt: string;
  /** holistic, Node and the app's Python, as the run found them. */
  versions?: Record<string, string>;
  /** Bytes of each artifact (by its key in `artifacts`) written before the report. */
  artifactSizes?: Record<string, number>;
  /** How it was asked for: --duration, --app-env, and the command line when it came from the CLI. */
  options: { duration_s: number; app_env: Record<string, string>; command_line?: string[] };
}

export function overallVerdict(verdicts: readonly Verdict[], interrupted: boolean): 'pass' | 'fail' {
  return !interrupted && verdicts.length > 0 && verdicts.every((v) => v.pass) ? 'pass' : 'fail';
}
