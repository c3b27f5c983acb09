/**
 * Locust as the load generator on the local target (a master and 2 worker processes): cpu-hotspot passes, the
 * merged request count is the app's own count (within the requests in flight at the window's edges), each
 * worker's share is reported; a worker killed mid-run fails the run with exit 4 naming the worker and its log,
 * and nothing of the run is left (processes, the master's port).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { spawnBackground } from '../../harness/exec.js';
import { runLocust } from '../../harness/load/locust/run.js';
import { waitHealthy } from '../../harness/load/probe.js';
import { readServed, servedBetween } from '../../harness/load/served.js';
import { projectRoot } from '../../harness/paths.js';
import { ensurePythonEnv } from '../../harness/python-env.js';
import { freePort } from '../../harness/targets/ports.js';
import { answers, holistic, interruptWhen, processesWithEnv, readSummary, runFolder, test } from '../helpers.js';

describe('Locust with 2 workers on the local target', () => {
  test('cpu-hotspot-locust passes; merged count matches the app; per-worker load reported', { timeout: 240_000 }, async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot-locust', '--target', 'local', '--out', out], { timeoutMs: 220_000 });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/PASS request count matches the app: .* got app served \d+, locust counted \d+ \(difference -?\d+\)/);
    const summary = await readSummary(await runFolder(out));
    const load = summary.load!;
    expect(load.generator).toBe('locust');
    expect(load.workers?.map((w) => w.name)).toEqual(['worker-1', 'worker-2']);
    // The merge is exact: the workers' counts add up to the merged count, and each worker did part of it.
    expect(load.workers!.reduce((n, w) => n + w.requests, 0)).toBe(load.requests);
    for (const w of load.workers!) {
      expect(w.requests, JSON.stringify(load.workers)).toBeGreaterThan(0);
      // Each worker's own CPU over the load: some, and at most its one core (with the tick's slack).
      expect(w.cpu, JSON.stringify(load.workers)).toBeGreaterThan(0);
      expect(w.cpu, JSON.stringify(load.workers)).toBeLessThan(1.05);
    }
    expect(load.served).toBeDefined();
    expect(Math.abs(load.served!.app - load.requests)).toBeLessThanOrEqual(load.served!.tolerance);
    expect(load.requests).toBeGreaterThan(5);
    expect(await processesWithEnv('HOLISTIC_RUN', summary.runId)).toEqual([]);
    const report = await readFile(path.join(await runFolder(out), 'report.html'), 'utf8');
    // The per-worker section itself (the summary JSON inlined in the page names the workers too).
    expect(report).toContain('<h3>Per worker and merged</h3>');
    expect(report).toMatch(/<tr><td>worker-2<\/td><td class="num-inline">\d+<\/td>/);
    expect(report).toContain('<th>CPU (of a core)</th>');
  });

  test('a worker killed mid-run: exit 4 naming it and its log; no process or port left', { timeout: 240_000 }, async ({ out }) => {
    const child = holistic(['run', 'cpu-hotspot-locust', '--target', 'local', '--duration', '30', '--out', out], { timeoutMs: 220_000 });
    let stderr = '';
    const started = new Promise<number>((resolve) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /locust: master and 2 workers on 127\.0\.0\.1:(\d+)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
    });
    const port = await started;
    // Let the workers connect and load for a moment, then kill one outright (no chance to write its record).
    let victim: string[] = [];
    for (let i = 0; i < 40 && victim.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      victim = await processesWithEnv('HOLISTIC_LOCUST_WORKER', 'worker-2');
    }
    expect(victim.length, 'worker-2 process').toBeGreaterThan(0);
    const runId = await runIdOf(Number(victim[0]!.split(' ')[0]));
    await new Promise((r) => setTimeout(r, 2000));
    process.kill(Number(victim[0]!.split(' ')[0]), 'SIGKILL');
    const r = await child;
    expect(r.exitCode, r.all).toBe(4);
    const m = /Locust worker-2 was killed \(SIGKILL\) before the end of the run, without its results; its log: (\S+)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(existsSync(m![1]!), `the named log ${m![1]} exists`).toBe(true);
    expect(await processesWithEnv('HOLISTIC_RUN', runId)).toEqual([]);
    expect(await answers(port), `master port ${port} still listening`).toBe(false);
  });
});

async function runIdOf(pid: number): Promise<string> {
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
  return environ.split('\0').find((e) => e.startsWith('HOLISTIC_RUN='))!.slice('HOLISTIC_RUN='.length);
}

describe('a Locust worker that never connects', () => {
  test('exit 4 naming that worker (not the one that connected) and its log; nothing left', { timeout: 120_000 }, async ({ out }) => {
    const env = { HOLISTIC_LOCUST_UNREACHABLE_WORKER: 'worker-2', HOLISTIC_LOCUST_CONNECT_TIMEOUT_S: '5' };
    const r = await holistic(['run', 'cpu-hotspot-locust', '--target', 'local', '--duration', '5', '--out', out], { timeoutMs: 100_000, env });
    expect(r.exitCode, r.all).toBe(4);
    const m = /Locust worker worker-2 \(log: (\S+)\) never connected to the master within 5 s/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(r.stderr).not.toMatch(/worker-1 \(log:/);
    expect(existsSync(m![1]!)).toBe(true);
    const runId = path.basename(await runFolder(out));
    expect(await processesWithEnv('HOLISTIC_RUN', runId)).toEqual([]);
    expect(await processesWithEnv('HOLISTIC_LOCUST_WORKER', 'worker-2')).toEqual([]);
  });
});

describe('Ctrl-C during a Locust load', () => {
  test('exit 130; the master and workers are gone', { timeout: 120_000 }, async ({ out }) => {
    const child = holistic(['run', 'cpu-hotspot-locust', '--target', 'local', '--duration', '30', '--out', out], { timeoutMs: 100_000 });
    // The run id, read from a worker's environment while it loads (the SIGINT comes 3 s after the workers start).
    const runId = (async () => {
      for (let i = 0; i < 400; i++) {
        const [worker] = await processesWithEnv('HOLISTIC_LOCUST_WORKER', 'worker-1');
        if (worker) return runIdOf(Number(worker.split(' ')[0]));
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error('never saw a Locust worker');
    })();
    const r = await interruptWhen(child, 'locust: master and 2 workers', 3000);
    expect(r.exitCode, r.all).toBe(130);
    expect(await runId).toMatch(/^cpu-hotspot-locust-/);
    expect(await processesWithEnv('HOLISTIC_RUN', await runId)).toEqual([]);
  });
});

describe('a user-supplied locustfile', () => {
  test('its own User class loads the app; holistic still records and merges each worker', { timeout: 120_000 }, async ({ out }) => {
    const python = await ensurePythonEnv([path.join(projectRoot, 'app', 'requirements.txt')]);
    const port = await freePort();
    const app = spawnBackground(python.python, ['-m', 'badapp'], { env: { PORT: String(port), HOST: '127.0.0.1', PYTHONPATH: path.join(projectRoot, 'app', 'src') } });
    try {
      await waitHealthy(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 30_000 });
      const file = path.join(out, 'mine.py');
      await writeFile(file, 'from locust import FastHttpUser, constant, task\n\n\nclass Mine(FastHttpUser):\n    wait_time = constant(0)\n\n    @task\n    def health(self):\n        self.client.get("/healthz")\n');
      const before = await readServed(`http://127.0.0.1:${port}/served`);
      const load = await runLocust({ host: `http://127.0.0.1:${port}`, kinds: [], locustfile: file, workers: 2, users: 2, durationS: 3, scratchDir: out });
      const after = await readServed(`http://127.0.0.1:${port}/served`);
      expect(load.workers!.map((w) => w.requests).every((n) => n > 0), JSON.stringify(load.workers)).toBe(true);
      expect(load.workers!.reduce((n, w) => n + w.requests, 0)).toBe(load.requests);
      expect(Math.abs(servedBetween(before!, after!, ['/healthz']) - load.requests)).toBeLessThanOrEqual(2);
    } finally {
      await app.stop();
    }
  });
});
