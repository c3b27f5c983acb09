/**
 * Every external command goes through here: a timeout always, cancellation by AbortSignal, the whole process
 * group killed on the way out, and errors that read `<reason>: <pasteable command>` plus the tail of stderr.
 */
import { execa, type ResultPromise } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { onForceQuit } from './emergency.js';

export interface RunOptions {
  /** Milliseconds. Every command has one: nothing here may hang forever. */
  timeoutMs: number;
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  /** Resolve instead of throwing on a non-zero exit (the caller inspects exitCode). */
  reject?: boolean;
  /** Signal sent to the command's process group on timeout or cancel (default SIGTERM). */
  killSignal?: NodeJS.Signals;
  /** Then SIGKILL after this many ms (default 3000). */
  killGraceMs?: number;
}

export interface RunResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    readonly stdout: string,
    readonly timedOut: boolean,
    readonly canceled: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CommandError';
  }
}

export { prettyCommand, tail } from './text.js';
import { prettyCommand, tail } from './text.js';

export async function run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const command = prettyCommand(file, args);
  const started = Date.now();
  // Own process group, so a timeout or Ctrl-C reaches the command's children too (nsenter forks the tool,
  // a shell forks its pipeline); execa's own kill would only reach the direct child.
  const child = execa(file, args, {
    env: options.env,
    extendEnv: true,
    cwd: options.cwd,
    input: options.input,
    reject: false,
    stripFinalNewline: false,
    cleanup: true,
    detached: true,
  });
  let terminated: 'timeout' | 'cancel' | undefined;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };
  let forceTimer: NodeJS.Timeout | undefined;
  const terminate = (why: 'timeout' | 'cancel') => {
    if (terminated) return;
    terminated = why;
    killGroup(options.killSignal ?? 'SIGTERM');
    forceTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 3000);
  };
  const timer = setTimeout(() => terminate('timeout'), options.timeoutMs);
  const onAbort = () => terminate('cancel');
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // A force quit exits without waiting for anyone: the group dies with us, synchronously.
  const unregister = onForceQuit(() => killGroup('SIGKILL'));
  const result = await child;
  unregister();
  clearTimeout(timer);
  clearTimeout(forceTimer);
  options.signal?.removeEventListener('abort', onAbort);

  const out: RunResult = {
    command,
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    durationMs: Date.now() - started,
  };
  // reject:false callers inspect the exit code themselves, but a command that never ran, timed out or was
  // canceled is always an error.
  const failed = terminated !== undefined || result.exitCode === undefined || (result.failed && options.reject !== false);
  if (failed) {
    throw new CommandError(
      describeFailure(command, { ...result, timedOut: terminated === 'timeout', isCanceled: terminated === 'cancel' }, options.timeoutMs),
      command,
      result.exitCode,
      out.stderr,
      out.stdout,
      terminated === 'timeout',
      terminated === 'cancel',
      { cause: result.cause },
    );
  }
  return out;
}

function describeFailure(
  command: string,
  result: { timedOut?: boolean; isCanceled?: boolean; exitCode?: number; signal?: string; code?: string; stderr?: unknown; originalMessage?: string },
  timeoutMs: number,
): string {
  let reason: string;
  if (result.timedOut) reason = `Command timed out after ${timeoutMs} ms`;
  else if (result.isCanceled) reason = 'Command was canceled';
  else if (result.code === 'ENOENT') reason = 'Command not found';
  else if (result.signal) reason = `Command was killed with ${result.signal}`;
  else if (result.exitCode !== undefined) reason = `Command failed with exit code ${result.exitCode}`;
  else reason = `Command failed${result.originalMessage ? ` (${result.originalMessage})` : ''}`;
  const stderr = tail(String(result.stderr ?? ''));
  return stderr ? `${reason}: ${command}\n${stderr}` : `${reason}: ${command}`;
}

export interface BackgroundProcess {
  readonly pid: number;
  readonly command: string;
  /** Resolves when the process exits (never rejects). */
  readonly exited: Promise<{ exitCode: number | undefined; signal: string | undefined }>;
  /** Everything the process wrote so far (stdout and stderr interleaved), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after graceMs; resolves when it is gone. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Start a long-lived process (the app). Its output is kept in memory (bounded) and it dies with us. */
export function spawnBackground(
  file: string,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; signal?: AbortSignal },
): BackgroundProcess {
  const command = prettyCommand(file, args);
  const child: ResultPromise = execa(file, args, {
    env: options.env,
    extendEnv: true,
    cwd: options.cwd,
    cancelSignal: options.signal,
    reject: false,
    buffer: false,
    all: true,
    cleanup: true,
    forceKillAfterDelay: 5000,
  });
  if (child.pid === undefined) {
    // execa reports spawn errors asynchronously; surface them through `exited` below.
  }
  let captured = '';
  const keep = 64 * 1024;
  child.all?.on('data', (chunk: Buffer) => {
    captured = (captured + chunk.toString()).slice(-keep);
  });
  const exited = child.then(
    (r) => ({ exitCode: r.exitCode, signal: r.signal }),
    () => ({ exitCode: undefined, signal: undefined }),
  );
  let stopping: Promise<void> | undefined;
  // A force quit exits without waiting: the process and everything it started die with us, synchronously.
  const unregister = child.pid ? onForceQuit(() => killTreeSync(child.pid!)) : () => undefined;
  void exited.then(unregister);
  return {
    pid: child.pid ?? -1,
    command,
    exited,
    output: () => captured,
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** SIGKILL a process and all its descendants now (children first found, then killed), from /proc. */
export function killTreeSync(root: number): void {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    const pid = tree[i]!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean)) tree.push(Number(child));
      } catch {
        // gone meanwhile
      }
    }
  }
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The first line a command prints when it succeeds (a version, a status), else undefined: for prerequisite checks. */
export async function probeCommand(file: string, args: string[], env?: Record<string, string>): Promise<string | undefined> {
  try {
    const r = await run(file, args, { timeoutMs: 15_000, reject: false, env });
    return r.exitCode === 0 ? (r.stdout + r.stderr).trim().split('\n')[0] : undefined;
  } catch {
    return undefined;
  }
}
