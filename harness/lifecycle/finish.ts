/**
 * How every run ends, whatever its stages were: the observer effect and the regression gate (when the body
 * finished), summary.json with the contract's fields, report.html, junit.xml, the CI step summary, the output
 * folder's index, the baseline when asked, and the exit code.
 */
import { randomBytes } from 'node:crypto';
import { rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hotspots } from '../assert/hotspot.js';
import { writeBaseline, type Baseline } from '../baseline/file.js';
import { gate, gateEnvironment, hotspotCounts, makeBaseline } from '../baseline/gate.js';
import { compareStacks } from '../baseline/stacks.js';
import type { BaselineDiffInput } from '../report/baseline-diff.js';
import { InterruptedError, exitCodeOf } from '../errors.js';
import { pauseAt } from '../failpoint.js';
import { formatObserver, observerEffect, observerWarning } from '../observer/effect.js';
import { gilShares } from '../profile/gil.js';
import { toCollapsed, type Profile } from '../profile/model.js';
import type { LoadSeries } from '../load/responses.js';
import { repairTruncated, type Repair } from '../profile/truncation.js';
import { renderReport } from '../report/html.js';
import { writeIndex } from '../report/index-page.js';
import { renderJunit } from '../report/junit.js';
import { appendStepSummary } from '../report/markdown.js';
import { overallVerdict, type RunSummary } from '../report/summary.js';
import type { RunFrame, RunOutcome } from './types.js';

export function makeRunId(scenario: string, started: Date): string {
  return `${scenario}-${started.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
}

export async function finishRun(frame: RunFrame, o: { error: unknown; baseline: Baseline | undefined; teardownS: number }): Promise<RunOutcome> {
  const { evidence: ev, options, log } = frame;
  let error = o.error;
  // What the profiler cost the app, and the regression gate: both need a finished body.
  const latencies = ev.unprofiledLatencies && ev.series ? { unprofiled: ev.unprofiledLatencies, profiled: ev.series.latencies_ms } : undefined;
  const observer = !error && ev.unprofiled && ev.load ? observerEffect(ev.unprofiled, ev.load, ev.sampling, latencies) : null;
  // Stacks py-spy read without their thread root (nonblocking reads race the interpreter) are re-rooted onto the
  // complete stacks that end the same way, so `total` shares are not biased low (profile/truncation.ts).
  const repaired = ev.profile ? repairTruncated(ev.profile) : undefined;
  const profile = repaired?.profile;
  if (observer) {
    log(formatObserver(observer));
    const w = observerWarning(observer);
    if (w) frame.warn(w);
  }
  const top = profile ? hotspots(profile, 20) : [];
  const counts = hotspotCounts(top, profile?.totalWeight ?? 0);
  const environment = gateEnvironment({
    target: frame.definition.name,
    python: ev.app?.environment.python,
    generator: ev.generator,
    connections: ev.load?.connections ?? ev.connections ?? 2,
    durationS: frame.durationS,
    sampling: ev.sampling,
    appEnv: frame.appEnv,
  });
  let baselineBlock: RunSummary['baseline'];
  let baselineDiff: BaselineDiffInput | undefined;
  if (o.baseline && !error) {
    const result = gate(options.baseline!, o.baseline, { series: ev.series, load: ev.load, hotspots: counts, durationS: frame.durationS, environment }, frame.regression);
    ev.verdicts = [...ev.verdicts, ...result.verdicts];
    result.warnings.forEach(frame.warn);
    // What changed, function by function, against the baseline's own stacks (report: differential flame graph).
    const stacks = compareStacks(options.baseline!, o.baseline, profile);
    baselineBlock = { ...result.block, profileDiff: stacks.block };
    baselineDiff = { file: options.baseline!, baseline: stacks.profile, current: profile, advice: stacks.block.stacks ? undefined : stacks.block.advice };
  }
  if (ev.series) {
    await writeFile(path.join(frame.runDir, 'load-series.json'), JSON.stringify(ev.series) + '\n');
    frame.artifacts.loadSeries = 'load-series.json';
  }

  frame.phases.start('report');
  await pauseAt('report', log);
  error = interruptedLate(error, options.signal);
  const summary = makeSummary(frame, error, o.teardownS, observer, baselineBlock, repaired);
  // What made the run and what it left, for the report's "reproduce" section and the index's comparability.
  // The app's Python when the target names a version (the local target names an interpreter path instead).
  const python = ev.app?.environment.python;
  summary.versions = { holistic: environment.holistic ?? '?', node: process.version, ...(python && !python.includes('/') ? { python } : {}) };
  summary.artifactSizes = await artifactSizes(frame.runDir, frame.artifacts);
  await writeRunOutputs(frame.runDir, summary, ev.profile, { stepSummary: options.stepSummary, log, series: ev.series ?? undefined, baselineDiff });

  if (options.saveBaseline) {
    if (summary.verdict === 'pass') {
      await writeBaseline(options.saveBaseline, makeBaseline({ scenario: frame.scenario, runId: frame.runId, environment, load: ev.load, series: ev.series, hotspots: counts, collapsed: ev.profile ? toCollapsed(ev.profile) : undefined }));
      log(`baseline saved: ${options.saveBaseline}`);
    } else {
      log(`baseline NOT saved to ${options.saveBaseline}: the run did not pass`);
    }
  }
  frame.phases.end(true);
  return { summary, runDir: frame.runDir, profile: ev.profile, exitCode: error ? exitCodeOf(error) : summary.verdict === 'pass' ? 0 : 1 };
}

function makeSummary(frame: RunFrame, error: unknown, teardownS: number, observer: RunSummary['observer'], baseline: RunSummary['baseline'], repaired: Repair | undefined): RunSummary {
  const { evidence: ev, artifacts } = frame;
  artifacts.summary = 'summary.json';
  artifacts.report = 'report.html';
  artifacts.junit = 'junit.xml';
  const debug = ev.debug;
  return {
    schema: 1,
    runId: frame.runId,
    scenario: frame.scenario,
    target: frame.definition.name,
    verdict: error ? 'fail' : overallVerdict(ev.verdicts, false),
    ...(error instanceof InterruptedError ? { interrupted: true } : {}),
    ...(error ? { error: errorText(error) } : {}),
    verdicts: ev.verdicts,
    hotspots: repaired ? hotspots(repaired.profile) : [],
    samples: ev.profile?.totalWeight ?? 0,
    ...(repaired
      ? { truncated_fraction: round(repaired.truncated.fraction), truncated_repaired_fraction: round(repaired.repairedFraction), truncated_unrepaired_fraction: round(repaired.unrepairedFraction) }
      : {}),
    ...(ev.profile && ev.gilProfile ? { gil: gilSummary(ev.profile, ev.gilProfile) } : {}),
    load: ev.load,
    observer,
    ...(baseline ? { baseline } : {}),
    app: { name: ev.app?.name ?? '', url: ev.app?.url ?? '', description: ev.app?.description ?? '', hostPid: ev.app?.hostPid },
    debugContainer: debug ? { image: debug.image ?? null, capabilities: debug.capabilities, privileged: debug.privileged, ...(debug.container ?? {}) } : null,
    ...(ev.threads ? { threads: ev.threads } : {}),
    environment: { ...(ev.app?.environment ?? {}), ...(debug?.environment ?? {}) },
    durations: { setup_s: round(ev.setupS), profile_s: round(Math.max(0, ev.bodyS - ev.unprofiledS)), teardown_s: round(teardownS) },
    artifacts,
    warnings: frame.warnings,
    startedAt: frame.started.toISOString(),
    options: {
      duration_s: frame.durationS,
      app_env: frame.appEnv,
      ...(frame.options.commandLine ? { command_line: frame.options.commandLine } : {}),
    },
  };
}

/** summary.json, report.html, junit.xml; the CI step summary when asked; then the output folder's index. */
export async function writeRunOutputs(
  runDir: string,
  summary: RunSummary,
  profile: Profile | undefined,
  options: { stepSummary?: string; log: (line: string) => void; series?: LoadSeries; baselineDiff?: BaselineDiffInput },
): Promise<void> {
  // Whole files or none: a second Ctrl-C (force quit) or a full disk mid-write must not leave half a
  // summary.json for CI to choke on. The report and junit go first, the summary (the record of the run) last.
  await writeWhole(path.join(runDir, 'report.html'), renderReport(summary, profile, { series: options.series, baselineDiff: options.baselineDiff }));
  await writeWhole(path.join(runDir, 'junit.xml'), renderJunit(summary));
  await writeWhole(path.join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  const stepSummary = options.stepSummary ?? process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) await appendStepSummary(stepSummary, summary, runDir);
  // The output folder's index.html lists every run in it; a failure here must not cost the run its result.
  await writeIndex(path.dirname(runDir)).catch((e: Error) => options.log(`warning: could not rewrite the runs index: ${e.message}`));
}

/** Bytes of each artifact already written (the report and summary themselves are not yet). */
async function artifactSizes(runDir: string, artifacts: Record<string, string>): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const [key, file] of Object.entries(artifacts)) {
    const st = await stat(path.join(runDir, file)).catch(() => undefined);
    if (st?.isFile()) sizes[key] = st.size;
  }
  return sizes;
}

/** Write to a temporary name beside the file, then rename: readers see the old file, none, or the new one. */
async function writeWhole(file: string, content: string): Promise<void> {
  const partial = `${file}.partial-${process.pid}`;
  await writeFile(partial, content);
  await rename(partial, file);
}

/**
 * A stop signal that came after the scenario's body (during teardown, collecting or the report) still
 * means the run was interrupted: it says so and exits 130, though what it collected is complete.
 */
export function interruptedLate(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error || !signal?.aborted) return error;
  return new InterruptedError(`interrupted after the scenario finished (${String(signal.reason ?? 'aborted')}); what it collected is complete`);
}

/** The share of samples whose thread held the GIL, and of those active without it (waiting, or in C code). */
function gilSummary(profile: Profile, gilProfile: Profile): NonNullable<RunSummary['gil']> {
  const g = gilShares(profile, gilProfile);
  return { held: round(g.held), waiting: round(g.waiting), samples: g.defaultSamples, gil_samples: g.gilSamples };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** An error's message even when a library threw something that is not an Error (e.g. a websocket event). */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  const message = (error as { message?: unknown })?.message;
  if (typeof message === 'string') return message;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
