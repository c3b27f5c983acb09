/**
 * Errors that carry the CLI contract's exit code, so any layer can say "this is the user's input" (2) or
 * "something this run needs is missing or not permitted" (3) without the CLI guessing from messages.
 * A failed verdict is not an error: it is data (exit 1).
 */

export const ExitCode = {
  pass: 0,
  verdictFailed: 1,
  usage: 2,
  prerequisite: 3,
  /** The run could not complete (the app died, a tool crashed): not in DESIGN's list, documented in README. */
  runFailed: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class HolisticError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad flags, unknown scenario, malformed input files: the user can fix it by changing what they typed. */
export class UsageError extends HolisticError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** A tool, permission or service is missing: the message names it and how to get it. */
export class PrerequisiteError extends HolisticError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.prerequisite, options);
  }
}

/** The run started but could not finish (the app died mid-run, a profiler crashed). */
export class RunError extends HolisticError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.runFailed, options);
  }
}

/** Thrown when the run is aborted (Ctrl-C, test timeout). */
export class InterruptedError extends HolisticError {
  constructor(message = 'interrupted') {
    super(message, ExitCode.interrupted);
  }
}

export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof HolisticError ? error.exitCode : ExitCode.runFailed;
}
