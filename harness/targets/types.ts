/**
 * Where the app runs. One interface, one file per kind, as kind's providers: the scenario and the tools never
 * know which one they got. A target brings the app up and gives a DebugSession: the equivalent of the
 * ephemeral container that `kubectl debug --target=APP --profile=…` injects — a place that shares the app's
 * PID namespace, has the tools, and holds only the privileges the profile grants.
 */
import type { AppSpec } from '../app.js';
import type { Cleanup } from '../cleanup.js';
import type { RunOptions, RunResult } from '../exec.js';
import type { PodLauncher } from '../load/types.js';

/** How a tool runs in a debug session: a timeout always; cancellation; the signal that stops it early. */
export type ExecOptions = Pick<RunOptions, 'timeoutMs' | 'signal' | 'killSignal'>;

/** A target's name, as `--target` takes it; the list of them is the registry in targets/index.ts. */
export type TargetKind = string;

/**
 * One prerequisite, checked on this machine (what `holistic doctor` prints). `required` (default true): the
 * target cannot run without it; an advisory check that fails leaves the target usable.
 */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  required?: boolean;
}

/** Everything any target can be given; each reads its own fields. The tools image is resolved once, by the run. */
export interface TargetOptions {
  /** Container engine: podman, docker or auto (container, kind). */
  engine?: string;
  /** Image of the debug container (container, kube, kind), already resolved from flag, env and default. */
  toolsImage: string;
  /** Reach the app on 127.0.0.1:port (`--port`) instead of a port the kernel picks. */
  port?: number;
  kubeconfig?: string;
  context?: string;
  /** Use this existing namespace instead of a fresh one (kube, kind). */
  namespace?: string;
  /** Pin the app pod to a node (clusters without a scheduler). */
  nodeName?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** kind: keep a cluster this run created (default true). */
  keepCluster?: boolean;
}

/**
 * What the registry knows of a target: its name, what it needs (doctor), whether `--target auto` may pick it,
 * what it can do, and how to make one. One file per target exports one of these.
 */
export interface TargetDefinition {
  readonly name: TargetKind;
  /** One line for `holistic doctor` and `--help`. */
  readonly summary: string;
  readonly capabilities: TargetCapabilities;
  /** Prerequisites checked on this machine, each with its fix. */
  checks(options: Omit<TargetOptions, 'toolsImage'>): Promise<Check[]>;
  /** For `--target auto`: why this target can be picked now, or undefined. */
  autoPick?(options: Omit<TargetOptions, 'toolsImage'> & { toolsImage?: string }): Promise<string | undefined>;
  /** Where `--target auto` asks it, lowest first (kind 1, container 2, local 3). */
  autoPreference?: number;
  create(options: TargetOptions): Target;
}

export interface TargetCapabilities {
  /** Can start an app expected to die (crash-on-start scenarios). */
  crashOnStart: boolean;
  /** The app is a process of this machine (its host PID is known). */
  hostProcess: boolean;
  /** Can profile a workload already running there (--pod/--selector/--deployment). */
  existingWorkloads?: boolean;
}

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
  /**
   * Start the app expecting it to die during start-up (a crash-on-start scenario: nothing to attach to).
   * Resolves once it has exited, with how; throws PrerequisiteError if it keeps running instead. Optional: a
   * target without it cannot run crash scenarios (exit 3).
   */
  upExpectingCrash?(app: AppSpec, ctx: TargetContext): Promise<CrashedStart>;
}

/** An app that died at start-up, and the way to look at it: a copy of it with the tools (kubectl debug --copy-to). */
export interface CrashedStart {
  /** One line for the report: where and how it ran. */
  description: string;
  environment: Record<string, string>;
  /** The app's exit code, when the target can tell. */
  exitCode: number | undefined;
  /** What the app printed before it died (bounded). */
  logs(): Promise<string>;
  /**
   * Run argv in a copy of the app — the same environment and configuration — whose image is the tools image
   * and whose command is argv: `kubectl debug POD --copy-to=… --set-image=*=TOOLS -- argv` on Kubernetes, a
   * throw-away tools container with the app's environment on the container target, a process with the app's
   * environment on local (tools from the harness's Python). The copy is gone when the command ends.
   */
  runCopy(argv: readonly string[], options: ExecOptions): Promise<RunResult>;
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
  /** Pods next to the app, for a load generator in the cluster (kube, kind); absent where there is no cluster. */
  pods?: PodLauncher;
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
