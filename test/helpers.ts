/** Helpers for end-to-end tests: run the real CLI as a user would, read what it left behind. */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { test as base } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import type { RunSummary } from '../harness/report/summary.js';
import { projectRoot } from '../harness/paths.js';

export const cli = path.join(projectRoot, 'bin', 'holistic.js');

export function holistic(args: string[], options: { prefix?: string[]; timeoutMs?: number; env?: Record<string, string> } = {}) {
  const argv = [...(options.prefix ?? []), process.execPath, cli, ...args];
  // forceKillAfterDelay off: a SIGTERM'd run must be free to take its time cleaning up, as it would in CI.
  return execa(argv[0]!, argv.slice(1), { reject: false, timeout: options.timeoutMs ?? 150_000, cwd: projectRoot, all: true, env: options.env, forceKillAfterDelay: false });
}

/** Send SIGINT once the CLI's progress output contains `marker` (plus a delay), and return the finished run. */
export async function interruptWhen(
  child: ReturnType<typeof holistic>,
  marker: string,
  delayMs: number,
  timeoutMs = 120_000,
  signal: 'SIGINT' | 'SIGTERM' = 'SIGINT',
) {
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never saw ${JSON.stringify(marker)}:\n${stderr}`)), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(marker)) {
        clearTimeout(timer);
        setTimeout(resolve, delayMs);
      }
    });
  });
  child.kill(signal);
  return child;
}

/**
 * `test` with an `out` fixture: a fresh output folder per test, removed afterwards unless the test failed
 * (then its reports stay for a person to open; the path is in the failure output).
 */
export const test = base.extend<{ out: string }>({
  // eslint-disable-next-line no-empty-pattern
  out: async ({ task }, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'holistic-test-out-'));
    await use(dir);
    if (task.result?.state !== 'fail') await rm(dir, { recursive: true, force: true });
  },
});

/** The single run folder a CLI run wrote under `out` (beside the runs index, index.html). */
export async function runFolder(out: string): Promise<string> {
  const entries = (await readdir(out, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  if (entries.length !== 1) throw new Error(`expected one run folder in ${out}, found: ${entries.join(', ') || 'none'}`);
  return path.join(out, entries[0]!);
}

export async function readSummary(runDir: string): Promise<RunSummary> {
  return JSON.parse(await readFile(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  if (!existsSync(`/proc/${pid}`)) return false;
  // A zombie is gone for our purposes only once reaped; report it as alive so leaks show.
  return true;
}

export const fixtures = path.join(projectRoot, 'test', 'fixtures');
