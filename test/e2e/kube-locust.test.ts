/**
 * Load from inside the cluster, on this repository's test cluster (hack/local-cluster: real apiserver, kubelet
 * and containerd; pods reached by their IPs): Locust's master and workers as pods next to the app, the load on
 * the app's pod IP, never through the port-forward. The Locust image (hack/images/build --only locust) must be
 * loaded into the cluster (.ci/run does). Needs HOLISTIC_KUBECONFIG; required in CI (HOLISTIC_REQUIRE_KUBE=1).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe, expect } from 'vitest';
import { fixtures, holistic, leftovers, readSummary, runFolder, test } from '../helpers.js';

const kubeconfig = process.env.HOLISTIC_KUBECONFIG;
const env = { KUBECONFIG: kubeconfig ?? '' };

if (!kubeconfig && process.env.HOLISTIC_REQUIRE_KUBE === '1') {
  test('the local cluster is up (required by HOLISTIC_REQUIRE_KUBE=1)', () => expect.fail('HOLISTIC_KUBECONFIG is unset'));
}

describe.skipIf(!kubeconfig)('in-cluster load on the kube target', () => {
  test('cpu-hotspot-locust: master and 2 worker pods load the pod IP; merged count matches the app; logs kept; nothing left', { timeout: 300_000 }, async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot-locust', '--target', 'kube', '--out', out], { env, timeoutMs: 280_000 });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stderr).toMatch(/locust: in the cluster: pods locust-[0-9a-f]{6}-master and 2 workers in namespace holistic-[0-9a-f]+, load on http:\/\/[\d.]+:8000/);
    expect(r.stdout).toMatch(/PASS request count matches the app: .* got app served \d+, locust counted \d+/);
    const dir = await runFolder(out);
    const summary = await readSummary(dir);
    const load = summary.load!;
    expect(load.generator).toBe('locust');
    expect(load.in_cluster?.app_url).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:8000$/);
    expect(load.url, 'the merged result names the pod IP it loaded, not the port-forward').toBe(load.in_cluster!.app_url);
    expect(load.workers?.map((w) => w.name)).toEqual(['worker-1', 'worker-2']);
    expect(load.workers!.reduce((n, w) => n + w.requests, 0)).toBe(load.requests);
    for (const w of load.workers!) {
      expect(w.requests, JSON.stringify(load.workers)).toBeGreaterThan(0);
      // The worker's own CPU over the load, from its record (holistic cannot see a pod's processes).
      expect(w.cpu, JSON.stringify(load.workers)).toBeGreaterThan(0);
      expect(w.cpu, JSON.stringify(load.workers)).toBeLessThan(1.05);
      // The pod is gone; its log was saved in the run folder first, with the record holistic read from it.
      expect(await readFile(w.log!, 'utf8')).toContain('HOLISTIC_LOCUST_RECORD ');
    }
    expect(Math.abs(load.served!.app - load.requests)).toBeLessThanOrEqual(load.served!.tolerance);
    // The generator's CPU, now known for pods too: the workers' records summed.
    expect(load.loadgen_cpu).toBeCloseTo(load.workers!.reduce((s, w) => s + w.cpu!, 0), 2);
    expect(summary.hotspots[0]).toMatchObject({ name: 'hash_password' });
    const report = await readFile(path.join(dir, 'report.html'), 'utf8');
    expect(report).toContain('<tr><th>where</th><td>in the cluster: pods in namespace');
    expect(report).toContain('<h3>Per worker and merged</h3>');
    expect(await leftovers('kube', summary.runId)).toEqual([]);
  });

  test('a worker pod that never connects: exit 4 naming that worker, its pod and its saved log; nothing left', { timeout: 240_000 }, async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot-locust', '--target', 'kube', '--out', out], {
      env: { ...env, HOLISTIC_LOCUST_UNREACHABLE_WORKER: 'worker-2', HOLISTIC_LOCUST_CONNECT_TIMEOUT_S: '10' },
      timeoutMs: 220_000,
    });
    expect(r.exitCode, r.all).toBe(4);
    const m = /Locust worker worker-2 \(pod (locust-[0-9a-f]{6}-worker-2), log: (\S+);.* never connected to the master within 10 s/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(r.stderr).not.toMatch(/worker-1 \(pod/);
    expect(existsSync(m![2]!.replace(/;$/, '')), 'the named log was saved').toBe(true);
    expect(await leftovers('kube', (await readSummary(await runFolder(out))).runId)).toEqual([]);
  });

  test('a worker pod deleted mid-run: exit 4 naming that worker and its pod; the other pods and the namespace are gone', { timeout: 240_000 }, async ({ out }) => {
    const child = holistic(['run', 'cpu-hotspot-locust', '--target', 'kube', '--out', out], { env, timeoutMs: 220_000 });
    let stderr = '';
    const started = new Promise<RegExpExecArray>((resolve) =>
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /pods (locust-[0-9a-f]{6})-master and 2 workers in namespace (holistic-[0-9a-f]+)/.exec(stderr);
        if (m) resolve(m);
      }),
    );
    const m = await Promise.race([started, child.then((r) => expect.fail(`the run ended before its Locust pods started:\n${r.all}`))]);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig!);
    const api = kc.makeApiClient(CoreV1Api);
    const worker = { name: `${m[1]}-worker-2`, namespace: m[2]! };
    // Deleted once it runs (loading the app), as an eviction or an operator's `kubectl delete` would.
    for (let i = 0; (await api.readNamespacedPod(worker).catch(() => undefined))?.status?.phase !== 'Running'; i++) {
      if (i > 120) expect.fail(`worker pod ${worker.name} never ran:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 2000));
    await api.deleteNamespacedPod({ ...worker, gracePeriodSeconds: 0 });
    const r = await child;
    expect(r.exitCode, r.all).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`Locust worker-2 \\(pod ${worker.name}\\) (was deleted|ended \\(Failed[^)]*\\)) before the end of the run, without its results`));
    expect(await leftovers('kube', (await readSummary(await runFolder(out))).runId)).toEqual([]);
  });

  test('a rate beyond what the port-forward carries: the default generator moves into the cluster, says why, and the verdict holds', { timeout: 300_000 }, async ({ out }) => {
    const r = await holistic(['run', path.join(fixtures, 'scenarios', 'rate-beyond-forward.ts'), '--target', 'kube', '--out', out], { env, timeoutMs: 280_000 });
    expect(r.exitCode, r.all).toBe(0);
    const moved = /load: autocannon moves into the cluster as Locust pods: the port-forward carried (\d+) req\/s with 2 connections and the scenario asks 50000 req\/s/.exec(r.stderr);
    expect(moved, r.stderr).not.toBeNull();
    expect(r.stderr.split('moves into the cluster').length - 1, 'said once, though two phases were placed').toBe(1);
    expect(Number(moved![1])).toBeGreaterThan(0);
    const summary = await readSummary(await runFolder(out));
    expect(summary.verdict).toBe('pass');
    expect(summary.load).toMatchObject({ generator: 'locust', in_cluster: { reason: expect.stringContaining('the port-forward would be the limit') } });
    expect(await leftovers('kube', summary.runId)).toEqual([]);
  });
});
