/**
 * Crash-on-start on the local target: run the app's command with its environment, expect it to exit; the
 * "copy" is a process with the same environment and working directory running the scenario's command, tools
 * taken from the harness's Python environment (as the local debug session does).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AppSpec } from '../app.js';
import { CommandError, run, tail } from '../exec.js';
import { PrerequisiteError } from '../errors.js';
import type { LocalCommand } from './local-command.js';
import type { CrashedStart, TargetContext } from './types.js';

export async function startExpectingCrash(
  app: AppSpec,
  ctx: TargetContext,
  command: LocalCommand,
  options: { timeoutMs: number },
): Promise<CrashedStart> {
  const { argv, env, local, python } = command;
  ctx.log(`starting ${app.name} (${argv.join(' ')}), expecting it to exit during start-up`);
  let result;
  try {
    // run() kills it (and its group) if it is still running at the deadline: then it did not crash.
    result = await run(argv[0]!, argv.slice(1), { env: { ...process.env, ...env }, cwd: local.cwd, timeoutMs: options.timeoutMs, signal: ctx.signal, reject: false });
  } catch (error) {
    ctx.signal.throwIfAborted();
    if (error instanceof CommandError && error.timedOut) {
      throw new PrerequisiteError(
        `${app.name} was expected to crash during start-up but was still running after ${options.timeoutMs / 1000} s; its output:\n` +
          (tail(error.stderr + error.stdout) || '(nothing)'),
      );
    }
    throw error;
  }
  const output = `${result.stdout}${result.stderr}`;
  return {
    description: `local process ${result.command.slice(0, 200)}`,
    environment: { target: 'local process', python: python.python },
    exitCode: result.exitCode,
    logs: async () => output,
    runCopy: (copyArgv, execOptions) => {
      const [tool, ...rest] = copyArgv;
      const fromEnv = path.join(python.bin, tool!);
      return run(existsSync(fromEnv) ? fromEnv : tool!, rest, { ...execOptions, env: { ...process.env, ...env }, cwd: local.cwd, reject: false });
    },
  };
}
