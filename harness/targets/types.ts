/**
 * Where the app runs. One interface, one file per kind, as kind's providers: the scenario and the tools never
 * know which one they got. A target brings the app up and gives a DebugSession: the equivalent of the
 * ephemeral container that `kubectl debug --target=APP --profile=…` injects — a place that shares the app's
 * PID namespace, has the tools, and holds only the privileges the profile grants.
 */
import type { AppSpec } from '../app.js';
import type { Cleanup } from '../cleanup.js';
import type { RunOptions, RunResult } from '../exec.js';

/** How a tool runs in a debug session: a timeout always; cancellation; the signal that stops it early. */
export type ExecOptions = Pick<RunOptions, 'timeoutMs' | 'signal' | 'killSignal'>;

export type TargetKind = 'local' | 'container' | 'kube' | 'kind';
export const targetKinds: readonly TargetKind[] = ['local', 'container', 'kube', 'kind'];

/**
 * kubectl debug's profiles. `general`: CAP_SYS_PTRACE added (py-spy, memray). `sysadmin`: privileged
 * (bpftrace); a scenario must ask for it explicitly. `baseline`: nothing added (py-spy cannot attach: what a
 * forgotten --profile looks like).
 */
export type DebugProfile = 'general' | 'baseline' | 'sysadmin';

export interface TargetContext {
  runId: string;
  /** Every resource a target creates registers its removal here right away. */
  cleanup: Cleanup;
  signal: AbortSignal;
  /** Environment added on the command line (`--app-env`), on top of the app's own. */
  appEnv: Record<string, string>;
  /** Host directory for this run's scratch files (removed at the end). */
  scratchDir: string;
  log: (line: string) => void;
}

export interface Target {
  readonly kind: TargetKind;
  /** Start the app and wait until it is healthy. Throws PrerequisiteError (with its last log lines) if it can't. */
  up(app: AppSpec, ctx: TargetContext): Promise<Deployment>;
}

export interface Deployment {
  /** Base URL that reaches the app from this host (127.0.0.1 only). */
  url: string;
  /** One line for the report: where and how it runs. */
  description: string;
  /** The app's main process as this host sees it, when it is a process here (local, container). */
  hostPid?: number;
  /** Where it runs, read back from the engine or cluster (engine, image name and ID, node…), for the report. */
  environment: Record<string, string>;
  /** Attach a debug session the `kubectl debug --target` way. */
  debug(profile: DebugProfile): Promise<DebugSession>;
  /** Is the app still running? */
  isAlive(): Promise<boolean>;
  /** The app's output (bounded), for error messages and the report. Still answers after teardown. */
  logs(): Promise<string>;
}

export interface DebugSession {
  /** Image of the debug container; undefined when tools run on the host. */
  image: string | undefined;
  /** The debug container's name and the container whose PID namespace it joined, when there is a container. */
  container?: { name: string; target: string };
  /** Capabilities granted to the session (e.g. ['SYS_PTRACE']); 'ALL' when privileged or root on the host. */
  capabilities: string[];
  privileged: boolean;
  /** PID of the app's main process as the tools inside the session see it (1 in a pod). */
  appPid: number;
  /** A directory inside the session where tools may write their output. */
  scratchDir: string;
  /** Run a tool inside the session. argv[0] is looked up on the session's PATH. */
  exec(argv: readonly string[], options: ExecOptions): Promise<RunResult>;
  /** Copy a file from the session to the host. */
  copyOut(sessionPath: string, hostPath: string, options: { signal?: AbortSignal }): Promise<void>;
  /** How to grant ptrace to this kind of session, for PrerequisiteError messages. */
  ptraceHint: string;
  /** The session as the engine reports it (image ID, effective capabilities…), for the report. */
  environment: Record<string, string>;
}
