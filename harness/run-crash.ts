/**
 * Runs a crash-on-start scenario: the app must die during start-up, so there is no health check, no debug
 * session attached to it and no load. The target starts it and waits for it to exit (Target.upExpectingCrash);
 * the scenario investigates the dead app through its logs and a copy of it that runs the tools
 * (CrashedStart.runCopy, `kubectl debug --copy-to`). The frame (run folder, teardown, reports, exit code) is
 * the same as run.ts's, kept apart so that the healthy path stays as it is.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Verdict } from './assert/verdict.js';
import { Cleanup } from './cleanup.js';
import { InterruptedError, PrerequisiteError } from './errors.js';
import type { RunOptions, RunOutcome } from './run.js';
import { runBasics, type CrashScenario } from './scenario.js';
import { ensurePortFree } from './targets/ports.js';
import type { CrashedStart } from './targets/types.js';
import { exitCodeFor, interruptedLate, makeRunId, startRun, makeSummary, writeRunOutputs } from './run-output.js';

export async function runCrashScenario(scenario: CrashScenario, options: RunOptions = {}): Promise<RunOutcome> {
  const log = options.log ?? (() => undefined);
  const started = new Date();
  const runId = makeRunId(scenario.name, started);
  const { target, runDir, durationS, appEnv } = await startRun(scenario, runId, options, log);
  const signal = options.signal ?? new AbortController().signal;
  const cleanup = new Cleanup();
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), 'holistic-'));
  cleanup.add(`remove ${scratchDir}`, () => rm(scratchDir, { recursive: true, force: true }));

  const artifacts: Record<string, string> = {};
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    log(`warning: ${message}`);
  };
  let verdicts: Verdict[] = [];
  let crashed: CrashedStart | undefined;
  let error: unknown;
  let setupS = 0;
  let profileS = 0;
  const t0 = performance.now();
  try {
    if (!target.upExpectingCrash) {
      throw new PrerequisiteError(`the ${target.kind} target cannot run crash-on-start scenarios (no way to start an app expected to die)`);
    }
    if (options.port !== undefined) await ensurePortFree(options.port); // as in run.ts
    crashed = await target.upExpectingCrash(scenario.app, { runId, cleanup, signal, appEnv, scratchDir, log });
    log(`app died at start-up as expected: ${crashed.description}, exit code ${crashed.exitCode ?? 'unknown'}`);
    setupS = (performance.now() - t0) / 1000;
    const bodyStart = performance.now();
    try {
      verdicts = await scenario.investigate({ crashed, ...runBasics({ appSpec: scenario.app, durationS, signal, warn, log, runDir, artifacts }) });
    } finally {
      profileS = (performance.now() - bodyStart) / 1000;
    }
  } catch (caught) {
    error = options.signal?.aborted ? new InterruptedError(`interrupted: ${String(options.signal.reason ?? 'aborted')}`) : caught;
  }

  const t1 = performance.now();
  for (const failure of await cleanup.close()) warn(failure);
  const teardownS = (performance.now() - t1) / 1000;
  if (crashed) {
    const logs = await crashed.logs().catch(() => '');
    if (logs) {
      await writeFile(path.join(runDir, 'app.log'), logs);
      artifacts.appLog = 'app.log';
    }
  }

  error = interruptedLate(error, options.signal);
  const summary = makeSummary(
    { runId, scenario: scenario.name, target: target.kind, started, verdicts, error, artifacts, warnings, durations: { setup_s: setupS, profile_s: profileS, teardown_s: teardownS }, options: { durationS, appEnv } },
    {
      hotspots: [],
      samples: 0,
      load: null,
      observer: null,
      app: { name: scenario.app.name, url: '', description: crashed?.description ?? '' },
      debugContainer: null,
      environment: crashed?.environment ?? {},
    },
  );
  await writeRunOutputs(runDir, summary, undefined, { stepSummary: options.stepSummary, log });
  const exitCode = exitCodeFor(summary, error);
  return { summary, runDir, profile: undefined, exitCode };
}

