/**
 * Runs one scenario on one target and writes its report. The same function serves the CLI and the vitest
 * fixture. Order of life: target up → debug session → the scenario's body (load, tools, checks) → teardown
 * (always, newest first) → summary.json, report.html, junit.xml. An interrupted or failed run still writes
 * what it collected, marked as such, and still tears down.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hotspots } from './assert/hotspot.js';
import type { Verdict } from './assert/verdict.js';
import { Cleanup } from './cleanup.js';
import { InterruptedError, RunError } from './errors.js';
import { tail } from './exec.js';
import { readBaseline, writeBaseline, type Baseline } from './baseline/file.js';
import { gate, gateEnvironment, hotspotCounts, makeBaseline } from './baseline/gate.js';
import { k6Version } from './load/k6.js';
import { hostProcessCpu, reapedChildrenCpuS, sessionProcessCpu } from './load/cpu.js';
import { measureLoad, type LoadPlan } from './load/measure.js';
import { phaseTracker, type PhaseListener } from './phases.js';
import { pauseAt } from './failpoint.js';
import { ensurePortFree } from './targets/ports.js';
import { errorText, exitCodeFor, interruptedLate, makeRunId, startRun, makeSummary, writeRunOutputs } from './run-output.js';
import { probe } from './load/probe.js';
import type { LoadSeries } from './load/responses.js';
import { formatObserver, observerEffect, observerWarning, type Sampling } from './observer/effect.js';
import type { LoadResult } from './load/types.js';
import { runCrashScenario } from './run-crash.js';
import { isCrashScenario, runBasics, type CrashScenario } from './scenario.js';
import { frameLabel, type Profile } from './profile/model.js';
import type { RunSummary } from './report/summary.js';
import type { Scenario, ScenarioContext } from './scenario.js';
import type { TargetOptions } from './targets/index.js';
import type { DebugSession, Deployment } from './targets/types.js';
import { dump as pySpyDump, record as pySpyRecord } from './tools/py-spy.js';

export interface RunOptions extends TargetOptions {
  target?: string;
  durationS?: number;
  outDir?: string;
  appEnv?: Record<string, string>;
  signal?: AbortSignal;
  /** Compare against this baseline file (regression gate); read before anything starts. */
  baseline?: string;
  /** Write this run as a baseline (only when it passed). */
  saveBaseline?: string;
  /** py-spy sampling: nonblocking (default) or blocking (pauses the app per sample). */
  sampling?: 'nonblocking' | 'blocking';
  /** Also record py-spy's flame graph SVG with a second sampler (default true). */
  flamegraph?: boolean;
  /** Seconds of unprofiled load before the scenario (the observer-effect reference); 0 skips it. */
  unprofiledS?: number;
  /** Markdown summary appended here (default: $GITHUB_STEP_SUMMARY when set). */
  stepSummary?: string;
  /** Progress lines for a person (the CLI prints them; tests may collect them). */
  log?: (line: string) => void;
  /** Phase start/end events for a live progress display (the CLI renders them). */
  onPhase?: PhaseListener;
}

export interface RunOutcome {
  summary: RunSummary;
  runDir: string;
  profile: Profile | undefined;
  /** The contract's exit code for this outcome. */
  exitCode: number;
}

export async function runScenario(scenario: Scenario | CrashScenario, options: RunOptions = {}): Promise<RunOutcome> {
  if (isCrashScenario(scenario)) return runCrashScenario(scenario, options);
  const log = options.log ?? (() => undefined);
  const phases = phaseTracker(options.onPhase);
  phases.start('set-up');
  const started = new Date();
  const runId = makeRunId(scenario.name, started);
  // Bad input fails before anything starts: a wrong baseline (exit 2), k6 asked for but missing (exit 3).
  const baseline: Baseline | undefined = options.baseline ? await readBaseline(options.baseline, scenario.name) : undefined;
  const generator = scenario.load?.generator ?? 'autocannon';
  if (generator === 'k6') log(`load generator: ${await k6Version()}`);
  const { target, runDir, durationS, appEnv } = await startRun(scenario, runId, options, log);

  // One signal for the whole run: the caller's (Ctrl-C, test timeout) or our own when the body fails,
  // so a load still running beside a failed profiler stops at once.
  const bodyAbort = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, bodyAbort.signal]) : bodyAbort.signal;
  const cleanup = new Cleanup();
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), 'holistic-'));
  cleanup.add(`remove ${scratchDir}`, () => rm(scratchDir, { recursive: true, force: true }));

  const artifacts: Record<string, string> = {};
  const warnings: string[] = [];
  let verdicts: Verdict[] = [];
  let profile: Profile | undefined;
  let load: LoadResult | null = null;
  let series: LoadSeries | null = null;
  let unprofiled: LoadResult | null = null;
  let sampling: Sampling | null = null;
  let threads: RunSummary['threads'];
  let deployment: Deployment | undefined;
  let debug: DebugSession | undefined;
  let error: unknown;
  let setupS = 0;
  let profileS = 0;
  const warn = (message: string) => {
    warnings.push(message);
    log(`warning: ${message}`);
  };

  const t0 = performance.now();
  try {
    phases.start('deploy');
    // The user's --port, on every target before anything starts there (image, cluster, pod, process): a taken
    // one is exit 3 naming who holds it. The targets translate a port lost after this check (a race).
    if (options.port !== undefined) await ensurePortFree(options.port);
    deployment = await target.up(scenario.app, { runId, cleanup, signal, appEnv, scratchDir, log });
    log(`app: ${deployment.description} at ${deployment.url}`);
    phases.start('attach');
    debug = copiesShown(await deployment.debug(scenario.debugProfile ?? 'general'), log);
    log(`debug session: ${debug.image ?? 'host tools'}, capabilities ${debug.capabilities.join(', ') || 'none'}${debug.privileged ? ', PRIVILEGED' : ''}`);
    const first = await probe(deployment.url + scenario.app.loadPath, 60_000, signal);
    if (!first.keepAlive) {
      warn(
        `${scenario.app.name} closes the connection after each response (HTTP/${first.httpVersion}): load generators ` +
          'mis-time such servers (latencies read several times too high). Serve HTTP/1.1 with keep-alive.',
      );
    }
    if (first.status < 200 || first.status >= 300) warn(`GET ${scenario.app.loadPath} answered HTTP ${first.status} before the load`);
    setupS = (performance.now() - t0) / 1000;

    const app = deployment;
    const appCpu = app.hostPid ? hostProcessCpu(app.hostPid) : sessionProcessCpu(debug, signal);
    const plan = (o: { path?: string; durationS?: number; connections?: number }): LoadPlan => ({
      url: app.url + (o.path ?? scenario.app.loadPath),
      durationS: o.durationS ?? durationS,
      connections: o.connections ?? scenario.load?.connections ?? 2,
      generator,
      k6Script: scenario.load?.k6Script,
      scratchDir,
      signal,
      appCpu,
    });
    // The observer-effect reference: the same load without any profiler attached.
    // Short: half the duration, 2 to 5 s (ratios of a few seconds are noisy; the README says how noisy).
    const unprofiledS = options.unprofiledS ?? Math.min(durationS, 5, Math.max(2, Math.round(durationS / 2)));
    if (unprofiledS > 0) {
      phases.start('load (unprofiled)', { seconds: unprofiledS });
      const p = plan({ durationS: unprofiledS });
      log(`load without profiler: ${generator} ${p.url}, ${p.connections} connections, ${unprofiledS} s`);
      const measured = await measureLoad(p);
      unprofiled = measured.load;
      if (measured.saturation) warn(measured.saturation);
      if (measured.contention) warn(`unprofiled phase: ${measured.contention}`);
    }
    const session = debug;
    const ctx: ScenarioContext = {
      ...runBasics({ appSpec: scenario.app, durationS, signal, warn, log, runDir, artifacts }),
      app,
      debug: session,
      load: async (o = {}) => {
        const p = plan(o);
        log(`load: ${generator} ${p.url}, ${p.connections} connections, ${p.durationS} s`);
        const measured = await measureLoad(p);
        if (measured.saturation) warn(measured.saturation);
        if (measured.contention) warn(measured.contention);
        load = measured.load;
        series = measured.series ?? null;
        return measured.load;
      },
      pySpy: {
        record: async (o = {}) => {
          log(`py-spy record --pid ${session.appPid} for ${o.durationS ?? durationS} s`);
          const recordOptions = { durationS, nonblocking: options.sampling !== 'blocking', flamegraph: options.flamegraph ?? true, ...o, signal };
          sampling = { mode: recordOptions.nonblocking ? 'nonblocking' : 'blocking', samplers: recordOptions.flamegraph ? 2 : 1, rate_hz: recordOptions.rateHz ?? 100 };
          const cpuBefore = await reapedChildrenCpuS();
          const recording = await pySpyRecord(session, runDir, recordOptions);
          const cpuAfter = await reapedChildrenCpuS();
          // Only where py-spy runs as our descendant (local target); in a container it is the engine's child.
          if (!debug?.image && cpuBefore !== undefined && cpuAfter !== undefined) {
            sampling.profiler_cores = Math.round(((cpuAfter - cpuBefore) / recordOptions.durationS) * 1000) / 1000;
          }
          profile = recording.profile;
          artifacts.profile = path.basename(recording.rawPath);
          if (recording.svgPath) artifacts.flamegraph = path.basename(recording.svgPath);
          artifacts.speedscope = path.basename(recording.speedscopePath);
          return recording;
        },
        dump: async (o = {}) => {
          const result = await pySpyDump(session, { ...o, signal });
          await writeFile(path.join(runDir, 'dump.txt'), result.text);
          artifacts.dump = 'dump.txt';
          threads = result.parsed.threads.map((t) => ({
            id: t.id,
            name: t.name,
            status: t.status,
            idle: t.idle,
            frames: t.frames.map(frameLabel),
          }));
          return result;
        },
      },
    };
    phases.start('load + profile', { seconds: durationS });
    const bodyStart = performance.now();
    try {
      verdicts = await scenario.run(ctx);
    } finally {
      profileS = (performance.now() - bodyStart) / 1000;
    }
    if (!(await app.isAlive())) warn(`${scenario.app.name} was no longer running at the end of the scenario`);
  } catch (caught) {
    error = options.signal?.aborted ? new InterruptedError(`interrupted: ${String(options.signal.reason ?? 'aborted')}`) : caught;
    bodyAbort.abort(error);
    phases.end(false);
    // A tool failing because the app died is the app's story, not the tool's: say so first.
    // And when the target itself stopped answering (a cluster gone), that is the story.
    const alive = !(error instanceof InterruptedError) && deployment ? await deployment.isAlive().catch((e: unknown) => e) : true;
    if (alive !== true && alive !== false) {
      error = new RunError(
        `the ${target.kind} target stopped answering during the scenario: ${errorText(alive)}\nwhat failed then: ${errorText(caught)}`,
        { cause: caught },
      );
    } else if (!(error instanceof InterruptedError) && debug && deployment && alive === false) {
      const logs = await deployment.logs().catch(() => '');
      error = new RunError(
        `${scenario.app.name} stopped running during the scenario (${deployment.description}); what failed then: ` +
          `${errorText(caught)}\nits last output:\n${tail(logs) || '(nothing)'}`,
        { cause: caught },
      );
    }
  }

  phases.start('teardown');
  const t1 = performance.now();
  const teardownFailures = await cleanup.close();
  const teardownS = (performance.now() - t1) / 1000;
  for (const failure of teardownFailures) warn(failure);

  // Keep the app's output, including how it shut down: it explains most failures.
  phases.start('collect');
  if (deployment) {
    const logs = await deployment.logs().catch(() => '');
    if (logs) {
      await writeFile(path.join(runDir, 'app.log'), logs);
      artifacts.appLog = 'app.log';
    }
  }

  // What the profiler cost the app, and the regression gate: both need a finished body.
  const observer = !error && unprofiled && load ? observerEffect(unprofiled, load, sampling) : null;
  if (observer) {
    log(formatObserver(observer));
    const w = observerWarning(observer);
    if (w) warn(w);
  }
  const finalLoad = load as LoadResult | null;
  const top = profile ? hotspots(profile, 20) : [];
  const environment = gateEnvironment({
    target: target.kind,
    python: deployment?.environment.python,
    generator,
    connections: finalLoad?.connections ?? scenario.load?.connections ?? 2,
    durationS,
    sampling,
    appEnv,
  });
  let baselineBlock: RunSummary['baseline'];
  if (baseline && !error) {
    const result = gate(options.baseline!, baseline, { series, load: finalLoad, hotspots: hotspotCounts(top, profile?.totalWeight ?? 0), durationS, environment }, scenario.regression);
    verdicts = [...verdicts, ...result.verdicts];
    result.warnings.forEach(warn);
    baselineBlock = result.block;
  }
  if (series) {
    await writeFile(path.join(runDir, 'load-series.json'), JSON.stringify(series) + '\n');
    artifacts.loadSeries = 'load-series.json';
  }

  phases.start('report');
  await pauseAt('report', log);
  error = interruptedLate(error, options.signal);
  const summary = makeSummary(
    { runId, scenario: scenario.name, target: target.kind, started, verdicts, error, artifacts, warnings, durations: { setup_s: setupS, profile_s: profileS, teardown_s: teardownS }, options: { durationS, appEnv } },
    {
      hotspots: profile ? hotspots(profile) : [],
      samples: profile?.totalWeight ?? 0,
      load,
      observer,
      ...(baselineBlock ? { baseline: baselineBlock } : {}),
      app: { name: scenario.app.name, url: deployment?.url ?? '', description: deployment?.description ?? '', hostPid: deployment?.hostPid },
      debugContainer: debug
        ? { image: debug.image ?? null, capabilities: debug.capabilities, privileged: debug.privileged, ...(debug.container ?? {}) }
        : null,
      ...(threads ? { threads } : {}),
      environment: { ...(deployment?.environment ?? {}), ...(debug?.environment ?? {}) },
    },
  );
  await writeRunOutputs(runDir, summary, profile, { stepSummary: options.stepSummary, log });

  if (options.saveBaseline) {
    if (summary.verdict === 'pass') {
      await writeBaseline(options.saveBaseline, makeBaseline({ scenario: scenario.name, runId, environment, load: finalLoad, series, hotspots: hotspotCounts(top, profile?.totalWeight ?? 0) }));
      log(`baseline saved: ${options.saveBaseline}`);
    } else {
      log(`baseline NOT saved to ${options.saveBaseline}: the run did not pass`);
    }
  }
  phases.end(true);
  const exitCode = exitCodeFor(summary, error);
  return { summary, runDir, profile, exitCode };
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

