/** Helpers for end-to-end tests: run the real CLI as a user would, read what it left behind. */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { test as base } from 'vitest';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { RunSummary } from '../harness/report/summary.js';
import { projectRoot } from '../harness/paths.js';
import { runLabel, sanitizeLabel } from '../harness/owner.js';
import { detectEngine } from '../harness/targets/engine.js';

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

export type E2eTarget = 'local' | 'container' | 'kube';

/**
 * What a run left on its target: containers labelled with its run id (container), namespaces and pods labelled
 * with it (kube, through `kubeconfig`). The local target's processes are checked with isAlive / appProcesses.
 */
export async function leftovers(target: E2eTarget, runId: string, kubeconfig = process.env.HOLISTIC_KUBECONFIG): Promise<string[]> {
  if (target === 'container') {
    const engine = await detectEngine();
    const r = await engine.run(['ps', '--all', '--filter', `label=${runLabel}=${runId}`, '--format', '{{.Names}}']);
    return r.stdout.split('\n').filter(Boolean);
  }
  if (target === 'kube') {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig!);
    const api = kc.makeApiClient(CoreV1Api);
    const selector = `holistic.run=${sanitizeLabel(runId)}`;
    const ns = await api.listNamespace({ labelSelector: selector });
    const pods = await api.listPodForAllNamespaces({ labelSelector: selector });
    return [...ns.items.map((n) => `namespace/${n.metadata!.name}`), ...pods.items.map((p) => `pod/${p.metadata!.name}`)];
  }
  return [];
}

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

/** Processes on this machine started with `NAME=value` in their environment (readable ones), as "pid command". */
export async function processesWithEnv(name: string, value: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    if (Number(pid) === process.pid) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (!environ.split('\0').includes(`${name}=${value}`)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    found.push(`${pid} ${cmdline.split('\0').join(' ').trim()}`);
  }
  return found;
}

/** iptables rules naming a port (what podman's port publishing adds; none must be left after a run). */
export async function natRulesFor(port: number | string): Promise<string[]> {
  const rules = String((await execa('iptables-save', [], { reject: false })).stdout).split('\n');
  return rules.filter((l) => l.includes(`--dport ${port} `) || l.includes(`:${port} `) || l.endsWith(`:${port}`));
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
