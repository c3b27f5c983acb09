/**
 * The app, up: `deployed` starts it healthy (target.up) and probes it once; `crashedAtStart` starts it expecting
 * it to die (crash-on-start scenarios). Both check the user's --port first (a taken one is exit 3 naming its
 * holder) and record where the app runs. After `use`: a failure while the app was gone is told as the app's
 * story ("stopped running", with its last output), a target that stopped answering as the target's.
 */
import type { AppSpec } from '../app.js';
import { InterruptedError, PrerequisiteError, RunError } from '../errors.js';
import { tail } from '../text.js';
import { probe } from '../load/probe.js';
import { ensurePortFree } from '../targets/ports.js';
import type { CrashedStart, Deployment, TargetContext } from '../targets/types.js';
import { errorText } from './finish.js';
import type { RunFrame, Use } from './types.js';

function targetContext(frame: RunFrame): TargetContext {
  return { runId: frame.runId, cleanup: frame.cleanup, signal: frame.signal, appEnv: frame.appEnv, scratchDir: frame.scratchDir, log: frame.log };
}

export async function deployed({ frame, app }: { frame: RunFrame; app: AppSpec }, use: Use<Deployment>): Promise<void> {
  frame.phases.start('deploy');
  // The user's --port, on every target before anything starts there (image, cluster, pod, process): a taken
  // one is exit 3 naming who holds it. The targets translate a port lost after this check (a race).
  if (frame.options.port !== undefined) await ensurePortFree(frame.options.port);
  const deployment = await frame.target.up(app, targetContext(frame));
  frame.log(`app: ${deployment.description} at ${deployment.url}`);
  frame.evidence.app = { name: app.name, url: deployment.url, description: deployment.description, hostPid: deployment.hostPid, environment: deployment.environment, logs: () => deployment.logs() };
  try {
    await use(deployment);
  } catch (caught) {
    throw await explainFailure(frame, app, deployment, caught);
  }
  if (!(await deployment.isAlive())) frame.warn(`${app.name} was no longer running at the end of the scenario`);
}

/** One request before any load: warn about what makes load numbers lie (no keep-alive) or an unhealthy path. */
export async function probeLoadPath(frame: RunFrame, deployment: Deployment, app: AppSpec): Promise<void> {
  const first = await probe(deployment.url + app.loadPath, 60_000, frame.signal);
  if (!first.keepAlive) {
    frame.evidence.closesConnections = true;
    frame.warn(
      `${app.name} closes the connection after each response (HTTP/${first.httpVersion}): load generators that reuse ` +
        'connections mis-time such servers (latencies read several times too high), so this run opens a new connection ' +
        'per request and times each from connect to the end of the answer; a real client pays that connect too. ' +
        'Serve HTTP/1.1 with keep-alive.',
    );
  }
  if (first.status < 200 || first.status >= 300) frame.warn(`GET ${app.loadPath} answered HTTP ${first.status} before the load`);
}

/** A tool failing because the app died is the app's story, not the tool's; a target gone silent is the target's. */
async function explainFailure(frame: RunFrame, app: AppSpec, deployment: Deployment, caught: unknown): Promise<unknown> {
  frame.abort(caught);
  if (frame.options.signal?.aborted || caught instanceof InterruptedError) return caught;
  const alive = await deployment.isAlive().catch((e: unknown) => e);
  if (alive !== true && alive !== false) {
    return new RunError(`the ${frame.definition.name} target stopped answering during the scenario: ${errorText(alive)}\nwhat failed then: ${errorText(caught)}`, { cause: caught });
  }
  if (alive === false && frame.evidence.debug) {
    const logs = await deployment.logs().catch(() => '');
    return new RunError(
      `${app.name} stopped running during the scenario (${deployment.description}); what failed then: ${errorText(caught)}\nits last output:\n${tail(logs) || '(nothing)'}`,
      { cause: caught },
    );
  }
  return caught;
}

/**
 * The app started expecting it to die during start-up: there is no health check, no debug session attached to
 * it and no load. The target waits for it to exit; the scenario investigates its logs and a copy of it.
 */
export async function crashedAtStart({ frame, app }: { frame: RunFrame; app: AppSpec }, use: Use<CrashedStart>): Promise<void> {
  frame.phases.start('deploy');
  const { target, definition } = frame;
  if (!definition.capabilities.crashOnStart || !target.upExpectingCrash) {
    throw new PrerequisiteError(`the ${definition.name} target cannot run crash-on-start scenarios (no way to start an app expected to die)`);
  }
  if (frame.options.port !== undefined) await ensurePortFree(frame.options.port);
  const crashed = await target.upExpectingCrash(app, targetContext(frame));
  frame.log(`app died at start-up as expected: ${crashed.description}, exit code ${crashed.exitCode ?? 'unknown'}`);
  frame.evidence.app = { name: app.name, url: '', description: crashed.description, environment: crashed.environment, logs: () => crashed.logs() };
  frame.evidence.setupS = (performance.now() - frame.t0) / 1000;
  await use(crashed);
}
