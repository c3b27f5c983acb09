/** Helpers for end-to-end tests: run the real CLI as a user would, read what it left behind. */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { test as base } from 'vitest';
import net from 'node:net';
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

export type { E2eTarget } from './leftovers.js';
export { leftovers, natRulesFor, processesWithEnv } from './leftovers.js';
import { leftovers, natRulesFor, type E2eTarget } from './leftovers.js';

/**
 * `holistic run <scenario> --target <target> --out <out> …args` with its own TMPDIR (and KUBECONFIG from
 * HOLISTIC_KUBECONFIG): returns the run and what it left in that TMPDIR, which must be nothing.
 */
export async function runInOwnTmpdir(target: E2eTarget, out: string, args: string[] = [], scenario = 'cpu-hotspot') {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'holistic-tmpdir-'));
  const kubeconfig = process.env.HOLISTIC_KUBECONFIG;
  const env: Record<string, string> = { TMPDIR: tmp, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) };
  const result = await holistic(['run', scenario, '--target', target, '--out', out, ...args], { env });
  // tsx keeps its compile cache in the temp dir (tsx-<uid>): the runner's, kept on purpose, not the run's.
  const tmpLeft = (await readdir(tmp)).filter((name) => !/^tsx-\d+$/.test(name));
  await rm(tmp, { recursive: true, force: true });
  return { result, tmpLeft };
}

/**
 * Everything a finished run may have left: leftovers() on its target, a listener still on the app's address
 * (a port-forward, a published port), and on the container target any iptables rule naming that port.
 */
export async function leftBehind(target: E2eTarget, summary: { runId: string; app: { url: string } }): Promise<string[]> {
  const left = await leftovers(target, summary.runId);
  const port = summary.app.url ? Number(new URL(summary.app.url).port) : undefined;
  if (port && (await answers(port))) left.push(`listener on 127.0.0.1:${port}`);
  if (port && target === 'container') left.push(...(await natRulesFor(port)));
  return left;
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (yes: boolean) => {
      socket.destroy();
      resolve(yes);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
