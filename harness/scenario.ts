/**
 * A scenario is a test: run this app somewhere, put this load on it, attach these debuggers the way
 * `kubectl debug --target` does, and return what the evidence must show as verdicts. The body only reads as
 * the story (attach a tool under load, check); the runner (run.ts, through the stages in lifecycle/) brings
 * the target, the debug session, the load and the report, and tears everything down, whatever happens.
 */
import type { AppSpec } from './app.js';
import type { Verdict } from './assert/verdict.js';
import type { RegressionThresholds } from './baseline/thresholds.js';
import type { Attach } from './lifecycle/attach.js';
import type { LoadRequest, LoadSpec } from './lifecycle/load.js';
import type { LoadResult } from './load/types.js';
import type { Dump } from './tools/py-spy.js';
import type { CrashedStart, DebugProfile, DebugSession, Deployment } from './targets/types.js';

/** What the body of every kind of scenario gets from the runner. */
export interface RunBasics {
  appSpec: AppSpec;
  /** Seconds of profiling/load the user asked for (`--duration`). */
  durationS: number;
  signal: AbortSignal;
  /** Something the user should know that is not a verdict (shown in the CLI output and the report). */
  warn(message: string): void;
  /** A progress line for the person watching. */
  log(message: string): void;
  /** This run's output folder on the host: tools write their artifacts here. */
  runDir: string;
  /** List a file in runDir (relative path) under `name` in summary.json's artifacts and the report. */
  artifact(name: string, relativePath: string): void;
}

export interface ScenarioContext extends RunBasics {
  app: Deployment;
  debug: DebugSession;
  /**
   * Attach a tool (pySpyRecord(), memrayTrack(), bpftraceNative(…)) while the scenario's load runs, after the
   * same load without it: returns the tool's evidence, both loads, and the verdicts that the app kept serving.
   */
  attach: Attach;
  /** Put load on the app with no tool attached; the last result is the run's `load`. */
  load(options?: LoadRequest): Promise<LoadResult>;
  /** `py-spy dump`: every thread's stack now, saved as an artifact and shown in the report. */
  dump(options?: { locals?: boolean }): Promise<Dump>;
}

export interface Scenario {
  name: string;
  /** One line for `holistic list`. */
  description: string;
  app: AppSpec;
  /** kubectl debug profile of the debug session (default `general`: SYS_PTRACE only). */
  debugProfile?: DebugProfile;
  /** Default `--duration` in seconds. */
  durationS?: number;
  /**
   * The load: autocannon by default; `k6` runs `k6Script` (TypeScript typed with @types/k6) and needs a `k6`
   * binary on PATH; `locust` runs a Locust master and `workers` worker processes (load/locust/run.ts).
   * `connections` is also what the unprofiled phase (the observer-effect check) uses.
   */
  load?: LoadSpec;
  /** How far each metric may move against `--baseline` before the gate fails (baseline/thresholds.ts). */
  regression?: RegressionThresholds;
  run(ctx: ScenarioContext): Promise<Verdict[]>;
}

/** What a crash scenario's body gets: the dead app (its logs, exit code) and a copy of it to investigate with. */
export interface CrashContext extends RunBasics {
  crashed: CrashedStart;
}

/**
 * A scenario whose app must die at start-up: the runner starts it with Target.upExpectingCrash (no health
 * check, no debug session, no load) and calls `investigate` instead of `run`.
 */
export interface CrashScenario {
  name: string;
  description: string;
  app: AppSpec;
  startup: 'crash';
  durationS?: number;
  investigate(ctx: CrashContext): Promise<Verdict[]>;
}

export function isCrashScenario(scenario: Scenario | CrashScenario): scenario is CrashScenario {
  return (scenario as CrashScenario).startup === 'crash';
}

export function defineScenario<S extends Scenario | CrashScenario>(scenario: S): S {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(scenario.name)) {
    throw new TypeError(`scenario name ${JSON.stringify(scenario.name)} must be lowercase letters, digits and dashes`);
  }
  return scenario;
}
