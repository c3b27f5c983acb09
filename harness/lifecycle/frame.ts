/**
 * The outermost stage: the run itself. Before anything starts, what can be refused is refused (a bad baseline:
 * exit 2; k6 asked for and missing: exit 3); the target is resolved (and the tools image, once); what killed
 * runs left behind is removed. Then the run folder, the scratch folder and the Cleanup every later stage
 * registers into. After the body: teardown (newest first), the app's log, and the outputs (finish.ts), also when
 * the body failed or was interrupted.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { parseEnvFile } from '../app.js';
import os from 'node:os';
import path from 'node:path';
import { readBaseline, type Baseline } from '../baseline/file.js';
import type { RegressionThresholds } from '../baseline/thresholds.js';
import { Cleanup } from '../cleanup.js';
import { InterruptedError, UsageError } from '../errors.js';
import { removeLeftovers } from '../leftovers.js';
import { k6Version } from '../load/k6.js';
import { ownerText } from '../owner.js';
import { phaseTracker } from '../phases.js';
import { defaultToolsImage } from '../targets/images.js';
import { resolveTarget } from '../targets/index.js';
import { finishRun, makeRunId } from './finish.js';
import type { Evidence, RunFrame, RunOptions, RunOutcome } from './types.js';

export interface RunPlan {
  name: string;
  app?: { envFile?: string };
  durationS?: number;
  load?: { generator?: string; connections?: number };
  regression?: RegressionThresholds;
}

export async function withRun(scenario: RunPlan, options: RunOptions, body: (frame: RunFrame) => Promise<void>): Promise<RunOutcome> {
  const log = options.log ?? (() => undefined);
  const phases = phaseTracker(options.onPhase);
  phases.start('set-up');
  const started = new Date();
  const runId = makeRunId(scenario.name, started);
  // Bad input fails before anything starts: a wrong baseline (exit 2), k6 asked for but missing (exit 3).
  const baseline: Baseline | undefined = options.baseline ? await readBaseline(options.baseline, scenario.name) : undefined;
  const generator = scenario.load?.generator ?? 'autocannon';
  if (generator === 'k6') log(`load generator: ${await k6Version()}`);
  // The app's environment beyond its spec: its env file, then --app-env (read now: a missing file is exit 2).
  const appEnv = { ...(scenario.app?.envFile ? await readEnvFile(scenario.app.envFile) : {}), ...options.appEnv };
  const toolsImage = options.toolsImage ?? process.env.HOLISTIC_TOOLS_IMAGE ?? defaultToolsImage;
  const { target, definition, reason } = await resolveTarget(options.target ?? 'auto', { ...options, toolsImage });
  log(`target: ${reason}`);
  await removeLeftovers({ target: definition.name, engine: options.engine, kubeconfig: options.kubeconfig, context: options.context }, log);
  const runDir = path.resolve(options.outDir ?? 'reports', runId);
  await mkdir(runDir, { recursive: true });

  const durationS = options.durationS ?? scenario.durationS ?? 10;
  const frame = await openFrame({ toolsImage, appEnv, regression: scenario.regression, runId, scenario: scenario.name, started, target, definition, runDir, durationS, options, log, phases, generator });
  frame.evidence.connections = scenario.load?.connections;
  let error: unknown;
  try {
    await body(frame);
  } catch (caught) {
    error = options.signal?.aborted ? new InterruptedError(`interrupted: ${String(options.signal.reason ?? 'aborted')}`) : caught;
    frame.abort(error);
    phases.end(false);
  }

  phases.start('teardown');
  const t1 = performance.now();
  for (const failure of await frame.cleanup.close()) frame.warn(failure);
  const teardownS = (performance.now() - t1) / 1000;

  // Keep the app's output, including how it shut down: it explains most failures.
  phases.start('collect');
  const logs = await frame.evidence.app?.logs().catch(() => '');
  if (logs) {
    await writeFile(path.join(runDir, 'app.log'), logs);
    frame.artifacts.appLog = 'app.log';
  }
  return finishRun(frame, { error, baseline, teardownS });
}

async function openFrame(o: {
  toolsImage: string;
  appEnv: Record<string, string>;
  regression: RegressionThresholds | undefined;
  runId: string;
  scenario: string;
  started: Date;
  target: RunFrame['target'];
  definition: RunFrame['definition'];
  runDir: string;
  durationS: number;
  options: RunOptions;
  log: (line: string) => void;
  phases: RunFrame['phases'];
  generator: string;
}): Promise<RunFrame> {
  const { options, log } = o;
  // One signal for the whole run: the caller's (Ctrl-C, test timeout) or our own when the body fails, so a
  // load still running beside a failed profiler stops at once.
  const own = new AbortController();
  const cleanup = new Cleanup();
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), 'holistic-'));
  cleanup.add(`remove ${scratchDir}`, () => rm(scratchDir, { recursive: true, force: true }));
  // Owned like everything else: a killed run's scratch folder is found and removed by the next run.
  await writeFile(path.join(scratchDir, '.holistic-owner'), `${ownerText()} ${o.runId}\n`);
  const warnings: string[] = [];
  const evidence: Evidence = {
    verdicts: [], sampling: null, load: null, series: null, unprofiled: null, unprofiledLatencies: null,
    generator: o.generator, connections: undefined, closesConnections: false, setupS: 0, bodyS: 0, unprofiledS: 0,
  };
  return {
    runId: o.runId,
    scenario: o.scenario,
    started: o.started,
    target: o.target,
    definition: o.definition,
    toolsImage: o.toolsImage,
    runDir: o.runDir,
    scratchDir,
    durationS: o.durationS,
    appEnv: o.appEnv,
    options,
    regression: o.regression,
    cleanup,
    signal: options.signal ? AbortSignal.any([options.signal, own.signal]) : own.signal,
    abort: (reason) => own.abort(reason),
    log,
    warn: (message) => {
      warnings.push(message);
      log(`warning: ${message}`);
    },
    phases: o.phases,
    artifacts: {},
    warnings,
    evidence,
    t0: performance.now(),
  };
}

async function readEnvFile(file: string): Promise<Record<string, string>> {
  const text = await readFile(path.resolve(file), 'utf8').catch((error: Error) => {
    throw new UsageError(`the app's envFile ${file} cannot be read: ${error.message}`);
  });
  try {
    return parseEnvFile(text, file);
  } catch (error) {
    throw new UsageError(`the app's envFile: ${(error as Error).message}`);
  }
}
