/**
 * Interruptions and faults on every target: SIGINT or SIGTERM at each phase (with random timing inside it),
 * the app dying mid-profile, two runs at once. After each: the contract's exit code, a summary that says what
 * happened, and nothing left — no process, container, pod or namespace of the run, and no temp file outside
 * the output folder (each run gets its own TMPDIR, which must be empty afterwards).
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { runLabel } from '../../harness/targets/container.js';
import { detectEngine } from '../../harness/targets/engine.js';
import { sanitizeLabel } from '../../harness/targets/kube/namespace.js';
import { holistic, interruptWhen, isAlive, readSummary, runFolder, test } from '../helpers.js';

const engine = await detectEngine().catch(() => undefined);
const kubeconfig = process.env.HOLISTIC_KUBECONFIG;

type Target = 'local' | 'container' | 'kube';

async function leftovers(target: Target, runId: string): Promise<string[]> {
  if (target === 'container') {
    const r = await engine!.run(['ps', '--all', '--filter', `label=${runLabel}=${runId}`, '--format', '{{.Names}}']);
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

/** Run the CLI with its own TMPDIR; interrupt it at `marker` when given. */
async function runWith(target: Target, out: string, options: { marker?: string; signal?: 'SIGINT' | 'SIGTERM'; delayMs?: number; args?: string[] } = {}) {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'holistic-tmpdir-'));
  const env: Record<string, string> = { TMPDIR: tmp, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) };
  const child = holistic(['run', 'cpu-hotspot', '--target', target, '--out', out, ...(options.args ?? [])], { env });
  const result = options.marker ? await interruptWhen(child, options.marker, options.delayMs ?? 0, 180_000, options.signal) : await child;
  // tsx keeps its compile cache in the temp dir (tsx-<uid>): the runner's, kept on purpose, not the run's.
  const tmpLeft = (await readdir(tmp)).filter((name) => !/^tsx-\d+$/.test(name));
  await rm(tmp, { recursive: true, force: true });
  return { result, tmpLeft };
}

const phases: Record<Target, [string, string][]> = {
  local: [['deploy', 'starting bad-app'], ['attach', 'debug session:'], ['profile', 'py-spy record']],
  container: [['deploy', 'starting bad-app as container'], ['attach', 'debug container ']],
  kube: [['deploy', 'pod holistic-'], ['attach', 'ephemeral container ']],
};
const available: Record<Target, boolean> = { local: true, container: Boolean(engine), kube: Boolean(kubeconfig) };

for (const target of ['local', 'container', 'kube'] as const) {
  describe.skipIf(!available[target])(`interrupted on ${target}`, () => {
    const signals = target === 'local' ? (['SIGINT', 'SIGTERM'] as const) : (['SIGTERM'] as const);
    for (const signal of signals) {
      for (const [phase, marker] of phases[target]) {
        test(`${signal} during ${phase}: exit 130, summary marked interrupted, nothing left`, async ({ out }) => {
          const delayMs = Math.floor(Math.random() * 800);
          const { result, tmpLeft } = await runWith(target, out, { marker, signal, delayMs, args: ['--duration', '30'] });
          const context = `${signal} ${delayMs} ms after "${marker}"\n${result.all}`;
          expect(result.exitCode, context).toBe(130);
          const summary = await readSummary(await runFolder(out));
          expect(summary.interrupted, context).toBe(true);
          expect(existsSync(path.join(await runFolder(out), 'report.html'))).toBe(true);
          expect(isAlive(summary.app.hostPid), context).toBe(false);
          expect(await leftovers(target, summary.runId), context).toEqual([]);
          expect(tmpLeft, context).toEqual([]);
        });
      }
    }
  });
}

describe('faults', () => {
  test('the app dies while py-spy records: exit 4, the message says the app stopped, nothing left', async ({ out }) => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'holistic-tmpdir-'));
    const child = holistic(['run', 'cpu-hotspot', '--target', 'local', '--duration', '20', '--out', out], { env: { TMPDIR: tmp } });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const pid = /\(pid (\d+)\) at http/.exec(stderr)?.[1];
      if (pid && stderr.includes('py-spy record')) {
        stderr += '\n[test: killed]';
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    const r = await child;
    expect(r.exitCode, r.all).toBe(4);
    expect(r.stderr).toMatch(/bad-app stopped running during the scenario \(local process .*\); what failed then: /);
    const summary = await readSummary(await runFolder(out));
    expect(summary.verdict).toBe('fail');
    expect(summary.error).toMatch(/stopped running during the scenario/);
    expect((await readdir(tmp)).filter((name) => !/^tsx-\d+$/.test(name))).toEqual([]);
    await rm(tmp, { recursive: true, force: true });
  });
});

for (const target of ['local', 'container', 'kube'] as const) {
  describe.skipIf(!available[target])(`two runs at once on ${target}`, () => {
    test('both pass, in their own folders, ports and names, and leave nothing', async ({ out }) => {
      const [a, b] = await Promise.all([runWith(target, path.join(out, 'a'), { args: ['--duration', '6'] }), runWith(target, path.join(out, 'b'), { args: ['--duration', '6'] })]);
      expect(a.result.exitCode, a.result.all).toBe(0);
      expect(b.result.exitCode, b.result.all).toBe(0);
      const [sa, sb] = [await readSummary(await runFolder(path.join(out, 'a'))), await readSummary(await runFolder(path.join(out, 'b')))];
      expect(sa.runId).not.toBe(sb.runId);
      expect(sa.app.url).not.toBe(sb.app.url);
      expect(sa.app.description).not.toBe(sb.app.description);
      for (const s of [sa, sb]) expect(await leftovers(target, s.runId)).toEqual([]);
    });
  });
}
