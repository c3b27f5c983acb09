/**
 * Runs one scenario on one target and writes its report: the stages of lifecycle/ composed in order, each
 * handing its value to the next through `use` and cleaning up after it. The same composition serves the CLI
 * and the tests; a crash-on-start scenario is the same run asking for fewer stages.
 *
 *   run (frame.ts) → app up (deploy.ts) → debug session (debug.ts) → load (load.ts) → attached tools (attach.ts)
 *   → the scenario's body → [teardown, newest first] → outputs (finish.ts)
 * A running workload (--pod/--selector/--deployment) replaces the middle with workload.ts: every pod, no app started.
 */
import { attaching } from './lifecycle/attach.js';
import { runBasics, scenarioContext } from './lifecycle/context.js';
import { debugged } from './lifecycle/debug.js';
import { crashedAtStart, deployed } from './lifecycle/deploy.js';
import { withRun } from './lifecycle/frame.js';
import { loading } from './lifecycle/load.js';
import { workloadRun } from './lifecycle/workload.js';
import { UsageError } from './errors.js';
import type { RunFrame, RunOptions, RunOutcome } from './lifecycle/types.js';
import { isCrashScenario, type CrashScenario, type Scenario } from './scenario.js';
import { checkScenario } from './spec-schema.js';

export type { RunOptions, RunOutcome } from './lifecycle/types.js';

export async function runScenario(scenario: Scenario | CrashScenario, options: RunOptions = {}): Promise<RunOutcome> {
  // Before anything starts: a bad field is exit 2 naming it (scenario files are checked when loaded, with their path).
  checkScenario(scenario, `scenario ${JSON.stringify(scenario.name)}`);
  if (options.workload && isCrashScenario(scenario)) {
    throw new UsageError('--pod, --selector and --deployment profile a running workload: use them with a scenario that profiles, not crash-on-start');
  }
  const workload = options.workload;
  if (workload) (await import('./targets/kube/workload.js')).checkWorkloadSelector(workload);
  return withRun(scenario, options, (frame) =>
    isCrashScenario(scenario) ? crashRun(frame, scenario) : workload ? workloadRun(frame, scenario, workload) : healthyRun(frame, scenario),
  );
}

async function healthyRun(frame: RunFrame, scenario: Scenario): Promise<void> {
  const app = scenario.app;
  await deployed({ frame, app }, (deployment) =>
    debugged({ frame, app, deployment, profile: scenario.debugProfile ?? 'general' }, (debug) =>
      loading({ frame, app, deployment, debug, spec: scenario.load }, (load) =>
        attaching({ frame, app, deployment, debug, load }, (attach) =>
          body(frame, () => scenario.run(scenarioContext(frame, app, deployment, debug, load, attach))),
        ),
      ),
    ),
  );
}

async function crashRun(frame: RunFrame, scenario: CrashScenario): Promise<void> {
  await crashedAtStart({ frame, app: scenario.app }, (crashed) => body(frame, () => scenario.investigate({ crashed, ...runBasics(frame, scenario.app) })));
}

/** The scenario's own code: its verdicts become the run's; a failure stops whatever still runs beside it. */
async function body(frame: RunFrame, run: () => Promise<RunFrame['evidence']['verdicts']>): Promise<void> {
  const start = performance.now();
  try {
    frame.evidence.verdicts = await run();
  } catch (error) {
    frame.abort(error);
    throw error;
  } finally {
    frame.evidence.bodyS = (performance.now() - start) / 1000;
  }
}
