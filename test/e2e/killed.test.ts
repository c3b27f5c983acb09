/**
 * A run killed where it cannot clean up: SIGKILL at each phase, and a force quit (a second signal) while it
 * profiles. A force quit removes the run's processes and containers before it exits; everything else a killed
 * run leaves carries its owner, and the next `holistic down` (or the next run) must find it and remove it,
 * saying what it removed. After that nothing of the run may be left: no process with its id in the
 * environment, no container or namespace or pod labelled with it, no scratch folder.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { detectEngine } from '../../harness/targets/engine.js';
import { holistic, leftovers, processesWithEnv, runFolder, test, type E2eTarget } from '../helpers.js';

const engine = await detectEngine().catch(() => undefined);
const kubeconfig = process.env.HOLISTIC_KUBECONFIG;
const available: Record<E2eTarget, boolean> = { local: true, container: Boolean(engine), kube: Boolean(kubeconfig) };

/** Where to kill: the progress line that says the phase began. */
const markers: Record<E2eTarget, [string, string][]> = {
  local: [['deploy', 'starting bad-app'], ['attach', 'debug session:'], ['profile', 'py-spy record']],
  container: [['deploy', 'starting bad-app as container'], ['attach', 'debug container '], ['profile', 'py-spy record']],
  kube: [['deploy', 'pod holistic-'], ['attach', 'ephemeral container '], ['profile', 'py-spy record']],
};

interface Killed {
  runId: string;
  tmp: string;
  env: Record<string, string>;
  output: string;
}

/** Start a run, and once `marker` shows (plus a random delay) kill it: SIGKILL, or SIGINT twice (force quit). */
async function killRun(target: E2eTarget, out: string, marker: string, how: 'SIGKILL' | 'force quit'): Promise<Killed> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'holistic-tmpdir-'));
  // KIND_CLUSTER names no cluster: `holistic down` must not delete a real one while it looks for leftovers.
  const env: Record<string, string> = { TMPDIR: tmp, KIND_CLUSTER: 'holistic-killed-test-none', ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) };
  const child = holistic(['run', 'cpu-hotspot', '--target', target, '--duration', '30', '--out', out], { env });
  let stderr = '';
  const delayMs = Math.floor(Math.random() * 800);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never saw ${JSON.stringify(marker)}:\n${stderr}`)), 180_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      const seen = stderr.includes(marker);
      stderr += chunk.toString();
      if (!seen && stderr.includes(marker)) {
        clearTimeout(timer);
        setTimeout(resolve, delayMs);
      }
    });
  });
  if (how === 'SIGKILL') child.kill('SIGKILL');
  else {
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGINT'), 300);
  }
  const r = await child;
  expect(r.exitCode === 130 || r.signal === 'SIGKILL', `${how} ${delayMs} ms after ${marker}:\n${r.all}`).toBe(true);
  return { runId: path.basename(await runFolder(out)), tmp, env, output: `${how} ${delayMs} ms after "${marker}"\n${r.all}` };
}

/** Everything of the run still on this machine or cluster. */
async function leftOf(target: E2eTarget, k: Killed): Promise<string[]> {
  const tmpLeft = (await readdir(k.tmp)).filter((name) => !/^tsx-\d+$/.test(name)).map((name) => `scratch ${name}`);
  return [...(await leftovers(target, k.runId)), ...(await processesWithEnv('HOLISTIC_RUN', k.runId)), ...tmpLeft];
}

for (const target of ['local', 'container', 'kube'] as const) {
  describe.skipIf(!available[target])(`killed runs on ${target}`, () => {
    for (const [phase, marker] of markers[target]) {
      test(`SIGKILL during ${phase}: holistic down removes what it left, says so, and nothing of the run remains`, async ({ out }) => {
        const k = await killRun(target, out, marker, 'SIGKILL');
        const before = await leftOf(target, k);
        const down = await holistic(['down'], { env: k.env });
        expect(down.exitCode, down.all).toBe(0);
        if (before.length > 0) expect(down.stderr, `${k.output}\nleft: ${before.join(', ')}`).toContain(`removed what a killed run left`);
        expect(await leftOf(target, k), `${k.output}\n${down.all}`).toEqual([]);
        await rm(k.tmp, { recursive: true, force: true });
      });
    }

    test('force quit (a second SIGINT) while profiling: its processes and containers are gone at once; down removes the rest', async ({ out }) => {
      const k = await killRun(target, out, 'py-spy record', 'force quit');
      // Synchronously before it exited: no process of the run, no container.
      expect(await processesWithEnv('HOLISTIC_RUN', k.runId), k.output).toEqual([]);
      if (target === 'container') expect(await leftovers('container', k.runId), k.output).toEqual([]);
      const down = await holistic(['down'], { env: k.env });
      expect(down.exitCode, down.all).toBe(0);
      expect(await leftOf(target, k), `${k.output}\n${down.all}`).toEqual([]);
      await rm(k.tmp, { recursive: true, force: true });
    });
  });
}

describe('the next run cleans up', () => {
  test('a run after a SIGKILLed one removes its app process, says so, and passes', async ({ out }) => {
    const k = await killRun('local', path.join(out, 'killed'), 'py-spy record', 'SIGKILL');
    expect(await processesWithEnv('HOLISTIC_RUN', k.runId)).not.toEqual([]);
    const next = await holistic(['run', 'cpu-hotspot', '--target', 'local', '--duration', '3', '--out', path.join(out, 'next')], { env: k.env });
    expect(next.exitCode, next.all).toBe(0);
    expect(next.stderr).toMatch(new RegExp(`removed what a killed run left: process \\d+ \\(.*badapp.*\\) of run ${k.runId}`));
    expect(await leftOf('local', k)).toEqual([]);
    await rm(k.tmp, { recursive: true, force: true });
  });
});
