/**
 * The debug session: what `kubectl debug --target=APP --profile=P` gives, on whichever target. Every copy out
 * of it is named in the progress (and can be held there by a fault test's failpoint). Its removal is
 * registered by the target in the run's Cleanup when it is created.
 */
import type { AppSpec } from '../app.js';
import { pauseAt } from '../failpoint.js';
import type { DebugProfile, DebugSession, Deployment } from '../targets/types.js';
import { probeLoadPath } from './deploy.js';
import type { RunFrame, Use } from './types.js';

export async function debugged(
  { frame, app, deployment, profile }: { frame: RunFrame; app: AppSpec; deployment: Deployment; profile: DebugProfile },
  use: Use<DebugSession>,
): Promise<void> {
  frame.phases.start('attach');
  const debug = copiesShown(await deployment.debug(profile), frame.log);
  frame.log(`debug session: ${debug.image ?? 'host tools'}, capabilities ${debug.capabilities.join(', ') || 'none'}${debug.privileged ? ', PRIVILEGED' : ''}`);
  frame.evidence.debug = debug;
  await probeLoadPath(frame, deployment, app);
  frame.evidence.setupS = (performance.now() - frame.t0) / 1000;
  await use(debug);
}

/** The session with every copy out of it named in the progress (and held there when a fault test asks). */
function copiesShown(session: DebugSession, log: (line: string) => void): DebugSession {
  return {
    ...session,
    copyOut: async (sessionPath, hostPath, options) => {
      log(`copying ${sessionPath} out of the debug session`);
      await pauseAt('copy', log, options.signal);
      await session.copyOut(sessionPath, hostPath, options);
    },
  };
}
