/**
 * Multi-process servers: the gunicorn variant of bad-app (localhost/badapp-gunicorn:latest, master + 3 workers,
 * hack/images/build) in podman, a debug container joined the `kubectl debug --target` way (--pid=container:APP,
 * SYS_PTRACE only), and the harness's process discovery + one py-spy --subprocesses over all of them, under real
 * load. Twice: gunicorn's master as PID 1, and catatonit (a static, non-Python init) as PID 1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { afterAll, describe, expect, test } from 'vitest';
import { frameStats } from '../../harness/profile/model.js';
import { waitHealthy } from '../../harness/load/probe.js';
import { detectEngine, type Engine } from '../../harness/targets/engine.js';
import type { DebugSession } from '../../harness/targets/types.js';
import { findPythonProcesses } from '../../harness/tools/processes.js';
import { recordAllProcesses } from '../../harness/tools/py-spy-processes.js';

const image = 'localhost/badapp-gunicorn:latest';
const engine: Engine | undefined = await detectEngine().catch(() => undefined);
const hasImage = engine ? (await engine.run(['image', 'exists', image], { reject: false })).exitCode === 0 || (await engine.run(['image', 'inspect', image], { reject: false })).exitCode === 0 : false;
if (process.env.CI === 'true' && !hasImage) throw new Error(`CI: ${image} is missing (hack/images/build)`);

const created: string[] = [];
afterAll(async () => {
  for (const name of created.reverse()) await engine?.run(['rm', '--force', '--time', '0', name], { reject: false });
});

/** The app (with an optional entrypoint) and a debug container joined to it; a DebugSession over podman exec. */
async function start(entrypoint: string[] | undefined): Promise<{ url: string; session: DebugSession }> {
  const name = `holistic-mp-${randomBytes(3).toString('hex')}`;
  created.push(name);
  const gunicorn = ['/app/badapp-gunicorn.pyz', '--workers', '3', '--bind', '0.0.0.0:8000', '--worker-tmp-dir', '/tmp', 'badapp.wsgi:application'];
  const run = entrypoint
    ? ['--entrypoint', entrypoint[0]!, image, ...entrypoint.slice(1), '/usr/bin/python3.11', ...gunicorn]
    : [image];
  await engine!.run(['run', '--detach', '--name', name, '--env', 'BADAPP_BCRYPT_ROUNDS=10', '--publish', '127.0.0.1::8000', ...run], { timeoutMs: 60_000 });
  const port = (await engine!.run(['port', name, '8000'])).stdout.trim().split(':').pop();
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url + '/healthz', { timeoutMs: 30_000, signal: AbortSignal.timeout(30_000) });
  const debugName = `${name}-debugger`;
  created.push(debugName);
  await engine!.run(['run', '--detach', '--name', debugName, `--pid=container:${name}`, '--cap-add', 'SYS_PTRACE', 'localhost/debug-tools:latest', 'sleep', 'infinity'], { timeoutMs: 60_000 });
  const session: DebugSession = {
    image: 'localhost/debug-tools:latest',
    capabilities: ['SYS_PTRACE'],
    privileged: false,
    appPid: 1,
    scratchDir: '/tmp',
    environment: {},
    ptraceHint: '--cap-add SYS_PTRACE',
    exec: (argv, options) => engine!.run(['exec', debugName, ...argv], { ...options, reject: false }),
    copyOut: async (from, to) => {
      await engine!.run(['cp', `${debugName}:${from}`, to], { timeoutMs: 60_000 });
    },
  };
  return { url, session };
}

describe.skipIf(!engine || !hasImage)('multi-process server (gunicorn master + 3 workers)', () => {
  for (const variant of [
    { title: 'gunicorn master is PID 1', entrypoint: undefined, pid1: /python3\.11$/ },
    { title: 'catatonit (not Python) is PID 1', entrypoint: ['/usr/bin/catatonit', '--'], pid1: /catatonit$/ },
  ]) {
    test(`${variant.title}: every worker found and profiled, merged and per process`, async () => {
      const { url, session } = await start(variant.entrypoint);
      const found = await findPythonProcesses(session);
      expect(found.tree[0]!.pid).toBe(1);
      expect(found.tree[0]!.exe).toMatch(variant.pid1);
      // master + 3 workers, all Python; the debug container's own processes are not the app's.
      expect(found.python).toHaveLength(4);
      expect(found.tree.some((p) => /sleep infinity/.test(p.cmdline))).toBe(false);
      const workers = found.python.filter((p) => p.ppid === found.main.pid);
      expect(workers).toHaveLength(3);

      const dir = await mkdtemp(path.join(os.tmpdir(), 'holistic-mp-'));
      try {
        const load = autocannon({ url: url + '/', connections: 6, duration: 12 });
        const recording = await recordAllProcesses(session, dir, { durationS: 8 });
        const result = await load;
        // gunicorn's sync workers close every connection: autocannon counts some reconnects as errors.
        expect(result['2xx']).toBeGreaterThan(20);
        expect(result.non2xx).toBe(0);
        expect(recording.attachedPid).toBe(found.main.pid);
        // The merged verdict: the app's own hashing function is where the time goes, across processes.
        const top = frameStats(recording.merged).sort((a, b) => b.self - a.self)[0]!;
        expect(top.frame).toMatchObject({ name: 'hash_password', file: 'badapp/hashing.py' });
        expect(top.self).toBeGreaterThan(0.8);
        // No process pseudo-frames left in the merged profile.
        expect(recording.merged.frames.some((f) => f.name.startsWith('process '))).toBe(false);
        // Per process: every Python process has an entry; the samples add up to the merged profile; each of the
        // 3 workers carries a real share of them (the load reaches all), the master next to nothing.
        expect(recording.perProcess.map((p) => p.pid).sort()).toEqual(found.python.map((p) => p.pid).sort());
        const total = recording.perProcess.reduce((s, p) => s + p.samples, 0);
        expect(total).toBe(recording.merged.totalWeight);
        for (const w of workers) expect(recording.perProcess.find((p) => p.pid === w.pid)!.samples / total).toBeGreaterThan(0.15);
        expect(recording.perProcess.find((p) => p.pid === found.main.pid)!.samples / total).toBeLessThan(0.05);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
