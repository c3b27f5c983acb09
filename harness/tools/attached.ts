/**
 * One way to attach any tool. A tool (py-spy, memray, bpftrace, the next one) says how it runs in a debug
 * session and what evidence it returns; the run's attach stage (lifecycle/attach.ts) owns everything around
 * it: the same load before (without the tool) and while it is attached, on the path the scenario loads, the
 * app-still-serves verdicts, the observer effect, the artifacts. A tool never knows the target.
 */
import type { Sampling } from '../observer/effect.js';
import type { Profile } from '../profile/model.js';
import type { DebugSession } from '../targets/types.js';

/** What the run gives a tool: where to write, how long, when to stop, how to report its evidence. */
export interface ToolIo {
  /** This run's output folder on the host. */
  runDir: string;
  /** How long the tool observes the app. */
  durationS: number;
  signal: AbortSignal;
  log(line: string): void;
  /** List a file in runDir under `name` in summary.json's artifacts and the report. */
  artifact(name: string, relativePath: string): void;
  /** The command line's sampler settings (`--sampling`, `--no-flamegraph`), for the tools that sample. */
  sampling: Sampling['mode'];
  flamegraph: boolean;
  /** A CPU profile for the run's hotspots, flame graph and baseline (sampling: py-spy's settings, when it was py-spy). */
  recordProfile(profile: Profile, sampling: Sampling | null, extra?: { gilProfile?: Profile }): void;
}

export interface AttachedTool<E> {
  /** As verdicts and messages name it: "served while py-spy attached". */
  readonly name: string;
  /**
   * Run in the session against its app. Call `whileAttached()` once, when the tool is observing the app (at
   * once for a sampler; after injection for memray), and await it: it runs the scenario's load and returns when
   * that is done. Resolve with the evidence.
   */
  run(session: DebugSession, io: ToolIo, whileAttached: () => Promise<void>): Promise<E>;
}

/** Every tool's deadline beyond its own observing window: start-up, copying out, reading the output. */
export const TOOL_SLACK_S = 120;

export function toolTimeoutMs(windowS: number): number {
  return (windowS + TOOL_SLACK_S) * 1000;
}
