/**
 * What every run starts with (its target, folder and settings: startRun) and ends with, whatever kind of scenario it was (run.ts: a healthy app under load; run-crash.ts:
 * an app that dies at start-up): the run's id, its summary.json with the contract's fields, report.html,
 * junit.xml, the CI step summary, the output folder's index, and the exit code.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Verdict } from './assert/verdict.js';
import { InterruptedError, exitCodeOf } from './errors.js';
import type { Profile } from './profile/model.js';
import { renderReport } from './report/html.js';
import { writeIndex } from './report/index-page.js';
import { renderJunit } from './report/junit.js';
import { appendStepSummary } from './report/markdown.js';
import { overallVerdict, type RunSummary } from './report/summary.js';
import type { RunOptions } from './run.js';
import { resolveTarget } from './targets/index.js';

export function makeRunId(scenario: string, started: Date): string {
  return `${scenario}-${started.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
}

/** The start every run shares: the target resolved (and said which), the run folder made, the settings settled. */
export async function startRun(scenario: { durationS?: number }, runId: string, options: RunOptions, log: (line: string) => void) {
  const { target, reason } = await resolveTarget(options.target ?? 'auto', options);
  log(`target: ${reason}`);
  const runDir = path.resolve(options.outDir ?? 'reports', runId);
  await mkdir(runDir, { recursive: true });
  return { target, runDir, durationS: options.durationS ?? scenario.durationS ?? 10, appEnv: options.appEnv ?? {} };
}

/** The fields every run has; what only some runs have (load, hotspots, the debug container…) comes in `rest`. */
export interface RunFrame {
  runId: string;
  scenario: string;
  target: string;
  started: Date;
  verdicts: Verdict[];
  error: unknown;
  artifacts: Record<string, string>;
  warnings: string[];
  durations: { setup_s: number; profile_s: number; teardown_s: number };
  options: RunSummary['options'];
}

type Rest = Omit<RunSummary, 'schema' | 'runId' | 'scenario' | 'target' | 'verdict' | 'interrupted' | 'error' | 'verdicts' | 'artifacts' | 'warnings' | 'durations' | 'startedAt' | 'options'>;

export function makeSummary(frame: RunFrame, rest: Rest): RunSummary {
  const { error } = frame;
  frame.artifacts.summary = 'summary.json';
  frame.artifacts.report = 'report.html';
  frame.artifacts.junit = 'junit.xml';
  return {
    schema: 1,
    runId: frame.runId,
    scenario: frame.scenario,
    target: frame.target,
    verdict: error ? 'fail' : overallVerdict(frame.verdicts, false),
    ...(error instanceof InterruptedError ? { interrupted: true } : {}),
    ...(error ? { error: errorText(error) } : {}),
    verdicts: frame.verdicts,
    ...rest,
    durations: { setup_s: round(frame.durations.setup_s), profile_s: round(frame.durations.profile_s), teardown_s: round(frame.durations.teardown_s) },
    artifacts: frame.artifacts,
    warnings: frame.warnings,
    startedAt: frame.started.toISOString(),
    options: frame.options,
  };
}

/** summary.json, report.html, junit.xml; the CI step summary when asked; then the output folder's index. */
export async function writeRunOutputs(
  runDir: string,
  summary: RunSummary,
  profile: Profile | undefined,
  options: { stepSummary?: string; log: (line: string) => void },
): Promise<void> {
  // Whole files or none: a second Ctrl-C (force quit) or a full disk mid-write must not leave half a
  // summary.json for CI to choke on. The report and junit go first, the summary (the record of the run) last.
  await writeWhole(path.join(runDir, 'report.html'), renderReport(summary, profile));
  await writeWhole(path.join(runDir, 'junit.xml'), renderJunit(summary));
  await writeWhole(path.join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  const stepSummary = options.stepSummary ?? process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) await appendStepSummary(stepSummary, summary, runDir);
  // The output folder's index.html lists every run in it; a failure here must not cost the run its result.
  await writeIndex(path.dirname(runDir)).catch((e: Error) => options.log(`warning: could not rewrite the runs index: ${e.message}`));
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

/** The contract's exit code: the error's, else 0 for a pass and 1 for a failed verdict. */
export function exitCodeFor(summary: RunSummary, error: unknown): number {
  return error ? exitCodeOf(error) : summary.verdict === 'pass' ? 0 : 1;
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
