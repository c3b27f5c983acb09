/**
 * Runs a crash-on-start scenario: the app must die during start-up, so there is no health check, no debug
 * session attached to it and no load. The target starts it and waits for it to exit (Target.upExpectingCrash);
 * the scenario investigates the dead app through its logs and a copy of it that runs the tools
 * (CrashedStart.runCopy, `kubectl debug --copy-to`). The frame (run folder, teardown, reports, exit code) is
 * the same as run.ts's, kept apart so that the healthy path stays as it is.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Verdict } from './assert/verdict.js';
import { Cleanup } from './cleanup.js';
import { InterruptedError, PrerequisiteError, exitCodeOf } from './errors.js';
import { renderReport } from './report/html.js';
import { renderJunit } from './report/junit.js';
import { overallVerdict, type RunSummary } from './report/summary.js';
import type { RunOptions, RunOutcome } from './run.js';
import type { CrashScenario } from './scenario.js';
import { resolveTarget } from './targets/index.js';
import type { CrashedStart } from './targets/types.js';

export async function runCrashScenario(scenario: CrashScenario, options: RunOptions = {}): Promise<RunOutcome> {
  const log = options.log ?? (() => undefined);
  const started = new Date();
  const runId = `${scenario.name}-${started.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
  const { target, reason } = await resolveTarget(options.target ?? 'auto', options);
  log(`target: ${reason}`);
  const runDir = path.resolve(options.outDir ?? 'reports', runId);
  await mkdir(runDir, { recursive: true });
  const durationS = options.durationS ?? scenario.durationS ?? 10;
  const appEnv = options.appEnv ?? {};
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
    crashed = await target.upExpectingCrash(scenario.app, { runId, cleanup, signal, appEnv, scratchDir, log });
    log(`app died at start-up as expected: ${crashed.description}, exit code ${crashed.exitCode ?? 'unknown'}`);
    setupS = (performance.now() - t0) / 1000;
    const bodyStart = performance.now();
    try {
      verdicts = await scenario.investigate({
        crashed,
        appSpec: scenario.app,
        durationS,
        signal,
        warn,
        log,
        runDir,
        artifact: (name, relativePath) => {
          artifacts[name] = relativePath;
        },
      });
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

  artifacts.summary = 'summary.json';
  artifacts.report = 'report.html';
  artifacts.junit = 'junit.xml';
  const interrupted = error instanceof InterruptedError;
  const summary: RunSummary = {
    schema: 1,
    runId,
    scenario: scenario.name,
    target: target.kind,
    verdict: error ? 'fail' : overallVerdict(verdicts, false),
    ...(interrupted ? { interrupted: true } : {}),
    ...(error ? { error: error instanceof Error ? error.message : String(error) } : {}),
    verdicts,
    hotspots: [],
    samples: 0,
    load: null,
    app: { name: scenario.app.name, url: '', description: crashed?.description ?? '' },
    debugContainer: null,
    observer: null,
    durations: { setup_s: round(setupS), profile_s: round(profileS), teardown_s: round(teardownS) },
    artifacts,
    warnings,
    environment: crashed?.environment ?? {},
    startedAt: started.toISOString(),
    options: { durationS, appEnv },
  };
  await writeFile(path.join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  await writeFile(path.join(runDir, 'report.html'), renderReport(summary, undefined));
  await writeFile(path.join(runDir, 'junit.xml'), renderJunit(summary));
  const exitCode = error ? exitCodeOf(error) : summary.verdict === 'pass' ? 0 : 1;
  return { summary, runDir, profile: undefined, exitCode };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
