/**
 * The local target's Python: one virtualenv per set of requirements (the app's and the profilers'), created on
 * first use under the cache dir and reused after. Created by the harness itself so that `npm ci` followed by
 * `npx holistic run …` needs no other step.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PrerequisiteError, UsageError } from './errors.js';
import { CommandError, run } from './exec.js';
import { cacheDir, projectRoot } from './paths.js';

export const toolRequirements = path.join(projectRoot, 'harness', 'tools', 'requirements.txt');

export interface PythonEnv {
  dir: string;
  python: string;
  bin: string;
}

/** Debian's /usr/bin/python3 first: it is what the distroless image runs, so versions match across targets. */
export function basePython(): string {
  if (process.env.HOLISTIC_PYTHON) return process.env.HOLISTIC_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export async function ensurePythonEnv(
  requirementFiles: readonly string[],
  options: { signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<PythonEnv> {
  const files = [...new Set([...requirementFiles, toolRequirements])];
  for (const file of files) {
    if (!existsSync(file)) throw new UsageError(`the app's requirements file ${file} does not exist (AppSpec.local.requirements)`);
  }
  const hash = createHash('sha256');
  hash.update(basePython());
  for (const file of files) hash.update(await readFile(file));
  const dir = cacheDir('python', hash.digest('hex').slice(0, 16));
  const env: PythonEnv = { dir, python: path.join(dir, 'bin', 'python'), bin: path.join(dir, 'bin') };
  const marker = path.join(dir, '.holistic-complete');
  if (existsSync(marker)) return env;

  await mkdir(path.dirname(dir), { recursive: true });
  const release = await lock(`${dir}.lock`, options.signal);
  try {
    if (existsSync(marker)) return env; // another process built it while we waited
    options.log?.(`creating the Python environment ${dir} (once per machine)`);
    await rm(dir, { recursive: true, force: true });
    try {
      await run(basePython(), ['-m', 'venv', dir], { timeoutMs: 120_000, signal: options.signal });
    } catch (error) {
      throw new PrerequisiteError(
        `cannot create a Python virtualenv with ${basePython()}: ${firstLine(error)}\n` +
          'Install Python 3 with its venv module (Debian/Ubuntu: apt-get install python3-venv), ' +
          'or point HOLISTIC_PYTHON at another python3.',
        { cause: error },
      );
    }
    try {
      await run(env.python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', ...files.flatMap((f) => ['-r', f])], {
        timeoutMs: 600_000,
        signal: options.signal,
      });
    } catch (error) {
      throw new PrerequisiteError(
        `cannot install the Python packages (${files.map((f) => path.relative(projectRoot, f)).join(', ')}) into ${dir}: ` +
          `${error instanceof CommandError ? error.message : firstLine(error)}\nCheck that the Python package index is reachable.`,
        { cause: error },
      );
    }
    await writeFile(marker, files.join('\n') + '\n');
    return env;
  } finally {
    await release();
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** A lock directory holding the owner's pid; a lock whose owner is gone is taken over. */
async function lock(lockDir: string, signal?: AbortSignal): Promise<() => Promise<void>> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, 'pid'), String(process.pid));
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => '0'));
      if (owner > 0 && !isRunning(owner)) await rm(lockDir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
