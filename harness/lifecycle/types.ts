/**
 * The run's lifecycle as stages, each with its setup and teardown in one function, the way vitest and
 * Playwright fixtures work: `stage({ what it needs }, use)` sets up, hands its value to `use` (the stages after
 * it and the scenario's body), and cleans up after `use` returns or throws. run.ts composes them; the vitest
 * fixtures can compose the same functions. Every resource still registers its removal in the run's Cleanup
 * the moment it is created, so teardown runs newest first whatever happens, as before.
 */
import type { AppSpec } from '../app.js';
import type { Verdict } from '../assert/verdict.js';
import type { RegressionThresholds } from '../baseline/thresholds.js';
import type { Cleanup } from '../cleanup.js';
import type { LoadSeries } from '../load/responses.js';
import type { LoadResult } from '../load/types.js';
import type { Sampling } from '../observer/effect.js';
import type { PhaseListener, phaseTracker } from '../phases.js';
import type { Profile } from '../profile/model.js';
import type { RunSummary } from '../report/summary.js';
import type { DebugSession, Target, TargetDefinition, TargetOptions } from '../targets/types.js';

/** Hand a stage's value to what comes after it; resolves when that is done. */
export type Use<T> = (value: T) => Promise<void>;

/** The run's options; the target's (TargetOptions) with the tools image not yet resolved (flag, env, default). */
export interface RunOptions extends Omit<TargetOptions, 'toolsImage'> {
  toolsImage?: string;
  target?: string;
  durationS?: number;
  outDir?: string;
  appEnv?: Record<string, string>;
  signal?: AbortSignal;
  /** Compare against this baseline file (regression gate); read before anything starts. */
  baseline?: string;
  /** Write this run as a baseline (only when it passed). */
  saveBaseline?: string;
  /** py-spy sampling: nonblocking (default) or blocking (pauses the app per sample). */
  sampling?: 'nonblocking' | 'blocking';
  /** Also record py-spy's flame graph SVG with a second sampler (default true). */
  flamegraph?: boolean;
  /** Seconds of load without the tool before each attached tool (the observer-effect reference); 0 skips it. */
  unprofiledS?: number;
  /** Markdown summary appended here (default: $GITHUB_STEP_SUMMARY when set). */
  stepSummary?: string;
  /** The command line that started the run, for the report's "reproduce" section. */
  commandLine?: string[];
  /** Progress lines for a person (the CLI prints them; tests may collect them). */
  log?: (line: string) => void;
  /** Phase start/end events for a live progress display (the CLI renders them). */
  onPhase?: PhaseListener;
  /** Profile this running workload instead of starting the app (kube target): lifecycle/workload.ts. */
  workload?: WorkloadChoice;
}

/** A workload already running (--pod, --selector or --deployment; --container in multi-container pods). */
export interface WorkloadChoice {
  namespace?: string;
  pod?: string;
  /** `k=v,k2=v2` (any label selector the API accepts). */
  selector?: string;
  deployment?: string;
  container?: string;
  /** Observe the traffic the workload already gets: no load from the harness. */
  noLoad?: boolean;
}

export interface RunOutcome {
  summary: RunSummary;
  runDir: string;
  profile: Profile | undefined;
  /** The contract's exit code for this outcome. */
  exitCode: number;
}

/** Where the app ended up, as the summary and the report tell it. */
export interface AppRecord {
  name: string;
  url: string;
  description: string;
  hostPid?: number;
  environment: Record<string, string>;
  /** The app's output (bounded); still answers after teardown. */
  logs(): Promise<string>;
}

/** What the stages collect for the summary, filled in as the run goes. */
export interface Evidence {
  verdicts: Verdict[];
  profile?: Profile;
  /** The GIL holder's samples over the same window (py-spy --gil), when the scenario asked for them. */
  gilProfile?: Profile;
  sampling: Sampling | null;
  /** The run's load: the last one measured (while a tool was attached, when one was). */
  load: LoadResult | null;
  series: LoadSeries | null;
  /** The same load without a tool, just before it was attached: the observer effect's reference. */
  unprofiled: LoadResult | null;
  /** The unprofiled phase's latency samples (the observer effect's p99 interval). */
  unprofiledLatencies: number[] | null;
  /** The load generator and connections the run used, for the baseline's environment. */
  generator: string;
  connections: number | undefined;
  threads?: RunSummary['threads'];
  app?: AppRecord;
  debug?: DebugSession;
  /** The app closes the connection after each response (the probe said so): loads use a connection per request. */
  closesConnections: boolean;
  setupS: number;
  bodyS: number;
  /** Seconds of the body spent on unprofiled load (not counted as profiling time). */
  unprofiledS: number;
}

/** The run itself: the outermost stage's value, which every other stage gets. */
export interface RunFrame {
  runId: string;
  scenario: string;
  started: Date;
  target: Target;
  definition: TargetDefinition;
  /** The debug-tools image, resolved once (flag, HOLISTIC_TOOLS_IMAGE, default). */
  toolsImage: string;
  runDir: string;
  /** Host scratch folder, removed at the end. */
  scratchDir: string;
  durationS: number;
  appEnv: Record<string, string>;
  options: RunOptions;
  /** The scenario's thresholds for --baseline. */
  regression: RegressionThresholds | undefined;
  cleanup: Cleanup;
  /** The caller's signal (Ctrl-C, a test's timeout) joined with the run's own: aborted when the body fails. */
  signal: AbortSignal;
  /** Stop everything still running beside a failure (a load next to a failed profiler). */
  abort(reason: unknown): void;
  log(line: string): void;
  warn(message: string): void;
  phases: ReturnType<typeof phaseTracker>;
  artifacts: Record<string, string>;
  warnings: string[];
  evidence: Evidence;
  /** performance.now() when the run began deploying. */
  t0: number;
}

export type { AppSpec };
