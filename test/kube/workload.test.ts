/**
 * The existing-workload mode against the real test cluster (hack/local-cluster/up: apiserver, scheduler,
 * controller-manager, kubelet, containerd). The test itself creates, with plain API calls as kubectl would, a
 * namespace, a Deployment of 3 replicas of the multi-process bad-app (gunicorn master + 3 workers per pod), and a
 * ServiceAccount bound ONLY to docs/rbac.yaml's Role. Then, as that ServiceAccount, holistic's library finds the
 * pods, attaches (or reuses) its debug containers, loads each pod through a port-forward and profiles every
 * worker of every replica in one window. The pods must be the same pods afterwards, and a second run must reuse
 * the debug containers. A ServiceAccount whose Role lacks one verb gets exit 3 naming verb and resource.
 *
 * Needs HOLISTIC_KUBECONFIG (admin) and the image localhost/badapp-gunicorn:latest (hack/images/build), which
 * is loaded into the cluster with hack/local-cluster/load-image.
 */
import { AppsV1Api, KubeConfig, RbacAuthorizationV1Api, loadAllYaml, type V1Deployment, type V1Role } from '@kubernetes/client-node';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup } from '../../harness/cleanup.js';
import { ExitCode, PrerequisiteError } from '../../harness/errors.js';
import { frameStats } from '../../harness/profile/model.js';
import { call, connect, type KubeClient } from '../../harness/targets/kube/client.js';
import { addDebugContainer, debugContainerSpec } from '../../harness/targets/kube/debug-container.js';
import { createRunNamespace, deleteRunNamespace } from '../../harness/targets/kube/namespace.js';
import { appPodManifest, waitPodReady } from '../../harness/targets/kube/pod.js';
import { checkWorkloadPermissions } from '../../harness/targets/kube/permissions.js';
import { profileWorkload, type WorkloadRunOptions } from '../../harness/workload.js';
import { portForward } from '../../harness/targets/kube/port-forward.js';
import autocannon from 'autocannon';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KUBECONFIG = process.env.HOLISTIC_KUBECONFIG;
const IMAGE = 'localhost/badapp-gunicorn:latest';
const TOOLS = 'localhost/debug-tools:latest';
const NS = `holistic-wl-${randomBytes(3).toString('hex')}`;

if (!KUBECONFIG && process.env.HOLISTIC_REQUIRE_KUBE === '1') {
  test('the local cluster is up (required by HOLISTIC_REQUIRE_KUBE=1)', () => expect.fail('HOLISTIC_KUBECONFIG is unset'));
}

/** A kubeconfig for a ServiceAccount: a bound token (TokenRequest) and the admin kubeconfig's cluster. */
async function serviceAccountClient(admin: KubeClient, name: string, dir: string): Promise<KubeClient> {
  const token = await call('create token', admin.core.createNamespacedServiceAccountToken({ name, namespace: NS, body: { spec: { audiences: [], expirationSeconds: 3600 } } }));
  const cluster = admin.config.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: cluster.server, caData: cluster.caData, caFile: cluster.caFile, skipTLSVerify: false }],
    users: [{ name, token: token.status!.token }],
    contexts: [{ name, cluster: 'c', user: name, namespace: NS }],
    currentContext: name,
  });
  const file = path.join(dir, `${name}.kubeconfig`);
  await writeFile(file, kc.exportConfig(), { mode: 0o600 });
  return connect({ kubeconfig: file });
}

function deployment(name: string, replicas: number, env: Record<string, string>, labels: Record<string, string> = {}, cpuLimit?: string): V1Deployment {
  return {
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...labels } },
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'web',
              image: IMAGE,
              imagePullPolicy: 'Never',
              env: Object.entries(env).map(([n, value]) => ({ name: n, value })),
              ports: [{ containerPort: 8000 }],
              readinessProbe: { httpGet: { path: '/healthz', port: 8000 }, periodSeconds: 1 },
              ...(cpuLimit ? { resources: { limits: { cpu: cpuLimit } } } : {}),
            },
          ],
        },
      },
    },
  };
}

async function waitAvailable(apps: AppsV1Api, name: string, replicas: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const d = await apps.readNamespacedDeployment({ name, namespace: NS });
    if ((d.status?.readyReplicas ?? 0) === replicas && (d.status?.updatedReplicas ?? 0) === replicas && (d.status?.replicas ?? 0) === replicas) return;
    await sleep(500);
  }
  throw new Error(`deployment ${name} did not get ${replicas} ready replicas in 120 s`);
}

describe.skipIf(!KUBECONFIG)('existing workload on the local cluster (scheduler + controller-manager)', () => {
  let admin: KubeClient;
  let apps: AppsV1Api;
  let dir = '';
  let profiler: KubeClient;
  let limited: KubeClient;

  beforeAll(async () => {
    admin = connect({ kubeconfig: KUBECONFIG });
    apps = admin.config.makeApiClient(AppsV1Api);
    dir = await mkdtemp(path.join(os.tmpdir(), 'holistic-wl-'));
    const load = await execa(path.join(REPO, 'hack/local-cluster/load-image'), [IMAGE, TOOLS], { env: { HOLISTIC_CLUSTER_DIR: path.dirname(KUBECONFIG!) }, reject: false, timeout: 300_000 });
    if (load.exitCode !== 0) console.warn(`load-image failed (images may already be on the node): ${load.stderr.slice(-300)}`);
    await createRunNamespace(admin, NS, 'workload-test');
    // The namespace's default ServiceAccount comes from the controller-manager (no holistic help on this cluster).
    // RBAC exactly as shipped: docs/rbac.yaml's Role; a second Role = the same minus patch pods/ephemeralcontainers.
    const role = (loadAllYaml(await readFile(path.join(REPO, 'docs/rbac.yaml'), 'utf8')) as V1Role[]).find((d) => d.kind === 'Role')!;
    const rbac = admin.config.makeApiClient(RbacAuthorizationV1Api);
    const without = { ...role, metadata: { name: 'holistic-profiler-no-patch' }, rules: role.rules!.filter((r) => !r.resources?.includes('pods/ephemeralcontainers')) };
    for (const [sa, r] of [['holistic', role], ['holistic-limited', without]] as const) {
      await admin.core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: sa } } });
      await rbac.createNamespacedRole({ namespace: NS, body: { ...r, metadata: { name: r.metadata!.name, namespace: NS } } });
      await rbac.createNamespacedRoleBinding({
        namespace: NS,
        body: { metadata: { name: sa, namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: r.metadata!.name! }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: NS }] },
      });
    }
    profiler = await serviceAccountClient(admin, 'holistic', dir);
    limited = await serviceAccountClient(admin, 'holistic-limited', dir);
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment('web', 3, { BADAPP_BCRYPT_ROUNDS: '10' }) });
    await waitAvailable(apps, 'web', 3);
  });

  afterAll(async () => {
    // Deleting the namespace deletes the Deployment, its pods (ephemeral containers and all) and the RBAC.
    if (admin) await deleteRunNamespace(admin, NS, 120_000);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('--deployment as a least-privilege ServiceAccount: all workers of all 3 replicas in one window; same pods after; debug containers reused on the second run', async () => {
    const runOnce = async (tag: string) => {
      const cleanup = new Cleanup();
      const lines: string[] = [];
      try {
        return {
          lines,
          result: await profileWorkload(profiler, {
            selector: { namespace: NS, deployment: 'web' },
            toolsImage: TOOLS,
            imagePullPolicy: 'Never',
            profile: 'general',
            durationS: 6,
            // gunicorn's sync workers close every connection, and each new one is a new tunnel through the
            // apiserver: twice as many connections as workers keep the 3 workers of each pod busy.
            connectionsPerPod: 6,
            outDir: path.join(dir, tag),
            cleanup,
            signal: AbortSignal.timeout(240_000),
            log: (l) => lines.push(l),
          }),
        };
      } finally {
        expect(await cleanup.close()).toEqual([]);
      }
    };
    const first = await runOnce('first');
    const r = first.result;
    expect(r.pods).toHaveLength(3);
    // Every replica: gunicorn master + 3 workers found, the workers carry the samples.
    for (const p of r.pods) {
      expect(p.recording.processes.python, p.pod.name).toHaveLength(4);
      const workers = p.recording.perProcess.filter((x) => x.pid !== p.recording.processes.main.pid);
      expect(workers.filter((w) => w.samples > 0).length, `${p.pod.name}: busy workers`).toBe(3);
      // Load was sent to every pod (the busy workers above show it arrived; on a crowded machine a pod's
      // 12-round hashes may all still be in flight when autocannon stops, so its own count can be 0).
      expect(p.load, p.pod.name).toBeDefined();
      expect(p.attached.reused).toBe(false);
      expect(p.attached.ephemeralContainers).toBe(1);
    }
    const loads = JSON.stringify(r.pods.map((p) => ({ pod: p.pod.name, requests: p.load!.requests, errors: p.load!.errors, timeouts: p.load!.timeouts, p50_ms: p.load!.p50_ms })));
    expect(r.pods.reduce((sum, p) => sum + p.load!.requests, 0), loads).toBeGreaterThan(0);
    // The merged verdict: the app's own function is the hotspot across all pods.
    // Ranked first; the share bar is lower than cpu-hotspot's 80%: gunicorn's sync workers close every
    // connection, each new one is a new tunnel through the apiserver, and on a crowded machine workers wait
    // between requests in SyncWorker.wait, which py-spy counts as active (measured 77-90% here).
    const top = frameStats(r.merged)[0]!;
    expect(top.frame).toMatchObject({ name: 'hash_password', file: 'badapp/hashing.py' });
    expect(top.self).toBeGreaterThan(0.6);
    expect(r.merged.totalWeight).toBe(r.pods.reduce((s, p) => s + p.recording.merged.totalWeight, 0));
    expect(r.outlierTable.split('\n').length).toBeGreaterThan(3);
    expect(r.outliers.outliers, r.outlierTable).toEqual([]);
    // Same pods, nothing restarted.
    expect(r.changes).toEqual([]);
    expect(r.after.map((a) => a.uid).sort()).toEqual(r.before.map((b) => b.uid).sort());
    expect(r.after.every((a) => a.restarts === 0)).toBe(true);

    const second = await runOnce('second');
    for (const p of second.result.pods) {
      expect(p.attached.reused, p.pod.name).toBe(true);
      expect(p.attached.ephemeralContainers).toBe(1);
      expect(p.attached.name).toBe(r.pods.find((x) => x.pod.name === p.pod.name)!.attached.name);
    }
    expect(second.result.changes).toEqual([]);
    expect(second.lines.some((l) => /reusing debug container/.test(l))).toBe(true);
  });

  test('through the CLI: holistic run --target kube --deployment web profiles every pod, adds the workload verdicts, creates nothing', async () => {
    const out = path.join(dir, 'cli');
    const r = await execa(process.execPath, [path.join(REPO, 'bin', 'holistic.js'), 'run', path.join(REPO, 'test', 'fixtures', 'scenarios', 'workload-hotspot.ts'), '--target', 'kube', '--deployment', 'web', '--namespace', NS, '--image-pull-policy', 'Never', '--out', out], { env: { KUBECONFIG: KUBECONFIG! }, reject: false, all: true, timeout: 280_000 });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/^PASS pods unchanged: .*3 pod\(s\), same UIDs, no restarts$/m);
    expect(r.stdout).toMatch(/^PASS no outlier pod/m);
    expect(r.stdout).toMatch(/^PASS hotspot hash_password/m);
    expect(r.stderr).toMatch(/pods profiled: web-/);
    expect(r.stderr).not.toMatch(/namespace holistic-/); // nothing of the app created: no namespace of its own
    // The next run with --no-load: the report says no load was applied, the profile still decides.
    const quiet = await execa(process.execPath, [path.join(REPO, 'bin', 'holistic.js'), 'run', path.join(REPO, 'test', 'fixtures', 'scenarios', 'workload-hotspot.ts'), '--target', 'kube', '--deployment', 'web', '--namespace', NS, '--no-load', '--image-pull-policy', 'Never', '--out', out], { env: { KUBECONFIG: KUBECONFIG! }, reject: false, all: true, timeout: 280_000 });
    expect(quiet.stdout, quiet.all).toMatch(/^PASS load without errors: .*no load was applied \(--no-load\): not judged$/m);
    expect(quiet.stderr).toMatch(/warning: no load was applied \(--no-load\)/);
  });

  /** One profileWorkload run as the least-privilege ServiceAccount; the Cleanup must close without failures. */
  async function run(tag: string, o: Partial<WorkloadRunOptions> & Pick<WorkloadRunOptions, 'selector'>) {
    const cleanup = new Cleanup();
    const lines: string[] = [];
    try {
      const result = await profileWorkload(profiler, {
        toolsImage: TOOLS, imagePullPolicy: 'Never', profile: 'general', durationS: 6,
        outDir: path.join(dir, tag), cleanup, signal: AbortSignal.timeout(240_000), log: (l) => lines.push(l), ...o,
      });
      return { result, lines };
    } finally {
      expect(await cleanup.close()).toEqual([]);
    }
  }

  test('an outlier is caught: one replica with BADAPP_BCRYPT_ROUNDS higher than the others (--selector over two Deployments)', async () => {
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment('mix', 2, { BADAPP_BCRYPT_ROUNDS: '6' }, { tier: 'mix' }) });
    // The slow replica is capped at 400m: uncapped, its three workers take 1.2 of the machine's 2 cores from the
    // replicas they are compared with.
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment('mix-slow', 1, { BADAPP_BCRYPT_ROUNDS: '13' }, { tier: 'mix' }, '400m') });
    await waitAvailable(apps, 'mix', 2);
    await waitAvailable(apps, 'mix-slow', 1);
    const { result } = await run('outlier', { selector: { namespace: NS, selector: 'tier=mix' }, connectionsPerPod: 6, durationS: 10 });
    expect(result.pods).toHaveLength(3);
    const slow = result.pods.find((p) => p.pod.name.startsWith('mix-slow-'))!.pod.name;
    // gunicorn's sync workers close every connection: the load opens one per request, so a fast replica answers
    // many requests per connection (it was 1 each while autocannon waited on the closed connections).
    for (const p of result.pods.filter((x) => x.pod.name !== slow)) expect(p.load?.requests, p.pod.name).toBeGreaterThan(3 * 6);
    expect(result.outliers.outliers.length, result.outlierTable).toBeGreaterThan(0);
    expect(new Set(result.outliers.outliers.map((o) => o.pod)), result.outlierTable).toEqual(new Set([slow]));
    expect(result.changes).toEqual([]);
  });

  test('--no-load: the traffic a separate client sends is what gets profiled; the verdict passes', async () => {
    // The "real" traffic: another client, through its own port-forward (as admin), to one pod of the Deployment.
    const target = (await admin.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })).items[0]!.metadata!.name!;
    const forward = await portForward(admin, NS, target, 8000);
    try {
      const traffic = autocannon({ url: `http://127.0.0.1:${forward.port}/`, connections: 6, duration: 14 });
      const { result, lines } = await run('no-load', { selector: { namespace: NS, pod: target }, load: false });
      await traffic;
      expect(result.loadApplied).toBe(false);
      expect(result.pods[0]!.load).toBeUndefined();
      expect(lines.join('\n')).toMatch(/no load applied/);
      // The client's traffic is what py-spy saw: hash_password among the two top frames with a large share. Not
      // necessarily first: between that client's requests gunicorn's sync workers sit in SyncWorker.wait, which
      // nonblocking py-spy may count as active (CI read it first once, on a busy machine).
      const stats = frameStats(result.merged);
      const hash = stats.slice(0, 2).find((s) => s.frame.name === 'hash_password');
      expect(hash, JSON.stringify(stats.slice(0, 3).map((s) => [s.frame.name, s.self]))).toBeDefined();
      expect(hash!.self).toBeGreaterThan(0.3);

      expect(result.pods[0]!.attached.reused).toBe(true); // the Deployment test's debug container
    } finally {
      await forward.close();
    }
  });

  test('a Role without patch pods/ephemeralcontainers: exit 3 naming the verb and the resource, before anything is added', async () => {
    const error = await checkWorkloadPermissions(limited, NS, { load: true, deployment: true }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as PrerequisiteError).exitCode).toBe(ExitCode.prerequisite);
    expect((error as Error).message).toMatch(/patch pods\/ephemeralcontainers/);
    expect((error as Error).message).not.toMatch(/create pods\/exec/);
    // And the API itself refuses the patch (what the check spares the user): forbidden, exit 3, verb and resource named.
    const pod = (await admin.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })).items[0]!;
    const refused = await addDebugContainer(limited, NS, pod.metadata!.name!, debugContainerSpec({ name: 'debugger-000000', image: TOOLS, imagePullPolicy: 'Never', target: 'web', profile: 'general' }), { timeoutMs: 10_000, signal: AbortSignal.timeout(20_000) }).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(PrerequisiteError);
    expect((refused as Error).message).toMatch(/cannot patch resource "pods\/ephemeralcontainers"/);
    const after = await admin.core.readNamespacedPod({ name: pod.metadata!.name!, namespace: NS });
    expect(after.spec?.ephemeralContainers?.map((c) => c.name)).not.toContain('debugger-000000');
  });

  test('bare-cluster path still works on a full cluster: a pod no scheduler looks at is bound by holistic', async () => {
    // schedulerName names a scheduler that does not run: kube-scheduler ignores the pod, as a bare cluster would.
    const manifest = appPodManifest({ name: 'unscheduled', port: 8000, healthPath: '/healthz', loadPath: '/', env: {}, image: IMAGE }, { namespace: NS, runId: 'bare', env: {}, imagePullPolicy: 'Never' });
    manifest.spec!.schedulerName = 'holistic-no-such-scheduler';
    await admin.core.createNamespacedPod({ namespace: NS, body: manifest });
    const lines: string[] = [];
    const pod = await waitPodReady(admin, NS, 'unscheduled', { timeoutMs: 90_000, signal: AbortSignal.timeout(100_000), log: (l) => lines.push(l) });
    expect(pod.spec?.nodeName).toBeTruthy();
    expect(lines.join('\n')).toMatch(/binding it to the only ready node/);
  });
});
