/**
 * The scenarios on a REAL kind cluster (node image built offline by hack/kind/build), on the provider HOLISTIC_ENGINE
 * names: every scenario on docker; on podman (kind's podman provider, the images loaded through `podman save` +
 * `kind load image-archive`) the main job and the pod copy, to keep CI short (a pod image loaded on first use, as
 * Locust's, goes through the same load function as the app's: it runs on docker).
 * Runs only when HOLISTIC_KIND_E2E=1 (hack/kind/ci sets it while its dockerd is up, with kind on PATH and
 * DOCKER_HOST pointing at that dockerd); the fake-kind tests in kube.test.ts keep what a real kind cannot show.
 * The cluster is created by the first run, reused by the others, and deleted by `holistic down`: the last test
 * checks kind no longer lists it, and no node container nor kind network is left in the engine.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect } from 'vitest';
import { holistic, readSummary, runFolder, test } from '../helpers.js';

const enabled = process.env.HOLISTIC_KIND_E2E === '1';
const engine = process.env.HOLISTIC_ENGINE === 'podman' ? 'podman' : 'docker';
// hack/kind/ci's podman phase names the cluster its Makefile steps made (the first run then reuses it).
const cluster = process.env.HOLISTIC_KIND_E2E_CLUSTER || `holistic-e2e-${process.pid}`;
// No KIND_EXPERIMENTAL_PROVIDER here (hack/kind/ci sets none): the harness tells kind the engine HOLISTIC_ENGINE names.
const env = { KIND_CLUSTER: cluster };
const kindAsked = (provider: string) => ({ env: { ...process.env, KIND_EXPERIMENTAL_PROVIDER: provider } });

/** The scenarios that must pass on kind, with the duration each needs to see its finding. */
const scenarios: ReadonlyArray<[string, number]> = [
  ['cpu-hotspot', 5], ['memory-leak', 10], ['lock-contention', 10], ['native-view', 10], ['jvm-cpu-hotspot', 10], ['crash-on-start', 10],
  // Locust's master and 2 workers as pods next to the app: its image loaded into the node on first use.
  ['cpu-hotspot-locust', 10],
].filter(([s]) => engine === 'docker' || ['cpu-hotspot', 'crash-on-start'].includes(s as string)) as Array<[string, number]>;

/**
 * The GitHub workflow's replay (hack/workflow/replay, run by hack/kind/ci just before) already ran cpu-hotspot
 * (twice: baseline and gate) and memory-leak on real kind, as the runner's non-root user, and kept their run folders
 * (its upload-artifact step). hack/kind/ci points here when that replay passed: those scenarios are checked from
 * its summaries with the same assertions instead of being run a third time (about two minutes of CI).
 */
const replayed = process.env.HOLISTIC_KIND_E2E_REPLAYED;
const fromReplay = new Set(replayed && engine === 'docker' ? ['cpu-hotspot', 'memory-leak'] : []);

describe.skipIf(!enabled).sequential(`scenarios on a real kind cluster (${cluster}, provider ${engine})`, () => {
  for (const [scenario] of scenarios.filter(([s]) => fromReplay.has(s))) {
    test(`${scenario} passed on --target kind in the workflow replay (its run folders: ${replayed})`, async () => {
      const runs = (await readdir(replayed!, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name.startsWith(`${scenario}-2`));
      expect(runs.length, `run folders of ${scenario} in ${replayed}`).toBeGreaterThan(0);
      for (const run of runs) {
        const summary = await readSummary(path.join(replayed!, run.name));
        expect(summary, run.name).toMatchObject({ scenario, target: 'kind', verdict: 'pass' });
        expect(summary.environment.cluster, run.name).toContain('(context kind-holistic)');
      }
    });
  }
  for (const [scenario, duration] of scenarios.filter(([s]) => !fromReplay.has(s))) {
    test(`${scenario} passes on --target kind`, async ({ out }) => {
      const r = await holistic(['run', scenario, '--target', 'kind', '--duration', String(duration), '--out', out], { env, timeoutMs: 15 * 60_000 });
      expect(r.exitCode, r.all).toBe(0);
      const summary = await readSummary(await runFolder(out));
      expect(summary).toMatchObject({ target: 'kind', verdict: 'pass' });
      expect(summary.environment.cluster).toContain(`(context kind-${cluster})`);
      expect(r.stderr).toMatch(new RegExp(`engine: ${engine} version`, 'i'));
      // Each image reaches the node from the engine that holds it (the tools image: every scenario's app differs).
      expect(r.stderr).toMatch(engine === 'docker'
        ? /kind load docker-image localhost\/debug-tools:latest --name /
        : /podman save --format docker-archive -o (\S+\/\d-localhost_debug-tools_latest\.tar) localhost\/debug-tools:latest\n.*kind load image-archive \1 --name /);
      if (scenario === 'cpu-hotspot-locust') {
        expect(summary.load?.in_cluster?.app_url, 'the load went to the pod IP').toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:8000$/);
        expect(summary.load!.workers!.every((w) => w.requests > 0), JSON.stringify(summary.load!.workers)).toBe(true);
        expect(r.stderr).toMatch(engine === 'docker' ? /kind load docker-image localhost\/holistic-locust:latest/ : /kind load image-archive \S+\/0-localhost_holistic-locust_latest\.tar/);
      }
    }, 16 * 60_000);
  }

  test(`holistic down deletes the cluster: kind lists it no more in ${engine}, no node container nor kind network left`, async () => {
    const down = await holistic(['down'], { env });
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stderr).toContain(`kind delete cluster --name ${cluster} (in ${engine})`);
    expect((await execa('kind', ['get', 'clusters'], kindAsked(engine))).stdout.split('\n')).not.toContain(cluster);
    expect((await execa(engine, ['ps', '--all', '--quiet', '--filter', `label=io.x-k8s.kind.cluster=${cluster}`])).stdout.trim()).toBe('');
    // kind's network goes with the last cluster in the engine (the replay's and make's clusters are gone by now).
    if ((await execa('kind', ['get', 'clusters'], kindAsked(engine))).stdout.trim() === '') {
      expect(down.stderr).toContain(`removed ${engine}'s kind network`);
      expect((await execa(engine, ['network', 'inspect', 'kind'], { reject: false })).exitCode).not.toBe(0);
    }
  }, 5 * 60_000);
});
