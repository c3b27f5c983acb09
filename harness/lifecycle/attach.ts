/**
 * The attached-tool stage: one way for any tool to observe the app. For each `attach(tool)`: the scenario's load
 * without the tool first (the observer effect's reference, on the same path and connections), then the same
 * load while the tool is attached, then the verdicts that say the app kept serving and still answers. The
 * run's load, its unprofiled reference and the tool's profile and artifacts are recorded here, so the observer
 * effect always compares like with like.
 */
import type { AppSpec } from '../app.js';
import { checkServedWhileAttached, checkStillAnswers } from '../assert/serving.js';
import type { Verdict } from '../assert/verdict.js';
import type { Measured } from '../load/measure.js';
import type { LoadResult } from '../load/types.js';
import type { DebugSession, Deployment } from '../targets/types.js';
import type { AttachedTool, ToolIo } from '../tools/attached.js';
import type { LoadDriver, LoadRequest } from './load.js';
import type { RunFrame, Use } from './types.js';

export interface AttachOptions {
  /** The load while the tool is attached and before it (path, connections); `false`: no load at all. */
  load?: Omit<LoadRequest, 'durationS'> | false;
  /** How long the tool observes (default: the run's --duration). */
  durationS?: number;
  /** Runs beside the load while the tool is attached: thread dumps at chosen instants, a probe. */
  meanwhile?: () => Promise<unknown>;
}

export interface Attached<E> {
  /** What the tool found. */
  evidence: E;
  /** The load without the tool, just before (null with --unprofiled 0 or no load). */
  before: LoadResult | null;
  /** The load while the tool was attached (null without load). */
  during: LoadResult | null;
  /** The app kept serving while the tool was attached, and answers after it left. */
  serving: Verdict[];
}

export type Attach = <E>(tool: AttachedTool<E>, options?: AttachOptions) => Promise<Attached<E>>;

export async function attaching(
  { frame, app, deployment, debug, load }: { frame: RunFrame; app: AppSpec; deployment: Deployment; debug: DebugSession; load: LoadDriver },
  use: Use<Attach>,
): Promise<void> {
  const attach: Attach = async (tool, options = {}) => {
    const durationS = options.durationS ?? frame.durationS;
    const request = options.load === false ? undefined : { ...options.load, durationS };
    const reference = request ? await unprofiledLoad(frame, load, request) : null;
    const before = reference?.load ?? null;
    frame.phases.start('load + profile', { seconds: durationS });
    let during: Measured | undefined;
    const whileAttached = async () => {
      const [measured] = await Promise.all([request ? load.measure(request) : undefined, options.meanwhile?.()]);
      during = measured;
    };
    const evidence = await tool.run(debug, toolIo(frame, durationS), whileAttached);
    if (during) {
      frame.evidence.load = during.load;
      frame.evidence.series = during.series ?? null;
      frame.evidence.unprofiled = before;
      frame.evidence.unprofiledLatencies = reference?.series?.latencies_ms ?? null;
    }
    const serving: Verdict[] = [];
    if (during) serving.push(checkServedWhileAttached(tool.name, before, during.load));
    serving.push(await checkStillAnswers(deployment.url + app.healthPath, frame.signal));
    return { evidence, before, during: during?.load ?? null, serving };
  };
  await use(attach);
}

/** The observer-effect reference: short (half the duration, 2 to 5 s, unless --unprofiled says), same path. */
async function unprofiledLoad(frame: RunFrame, load: LoadDriver, request: LoadRequest & { durationS: number }): Promise<Measured | null> {
  const seconds = frame.options.unprofiledS ?? Math.min(request.durationS, 5, Math.max(2, Math.round(request.durationS / 2)));
  if (seconds <= 0) return null;
  frame.phases.start('load (unprofiled)', { seconds });
  const t0 = performance.now();
  const measured = await load.measure({ ...request, durationS: seconds }, 'unprofiled');
  frame.evidence.unprofiledS += (performance.now() - t0) / 1000;
  return measured;
}

function toolIo(frame: RunFrame, durationS: number): ToolIo {
  return {
    runDir: frame.runDir,
    durationS,
    signal: frame.signal,
    log: frame.log,
    artifact: (name, relativePath) => {
      frame.artifacts[name] = relativePath;
    },
    sampling: frame.options.sampling ?? 'nonblocking',
    flamegraph: frame.options.flamegraph ?? true,
    recordProfile: (profile, sampling, extra) => {
      frame.evidence.profile = profile;
      frame.evidence.sampling = sampling;
      frame.evidence.gilProfile = extra?.gilProfile;
    },
  };
}
