/**
 * End to end on the Kubernetes target against this repository's test cluster (hack/local-cluster: a real
 * kube-apiserver and kubelet running the real images in containerd), through the CLI. Needs
 * HOLISTIC_KUBECONFIG (set by .ci/run); skipped without it, except in CI, where the cluster is required.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { holistic, interruptWhen, readSummary, runFolder, test, leftovers as leftoversOn } from '../helpers.js';

const kubeconfig = process.env.HOLISTIC_KUBECONFIG;
const env = { KUBECONFIG: kubeconfig ?? '' };
const kubeArgs = ['--target', 'kube'];

function api(): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig!);
  return kc.makeApiClient(CoreV1Api);
}

/** What this run left on the kube target (by its label). */
const leftovers = (runId: string) => leftoversOn('kube', runId);

describe.skipIf(!kubeconfig)('kube target on the local test cluster', () => {
  test('cpu-hotspot passes; the ephemeral container read back has SYS_PTRACE and targets the app; nothing is left', async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot', ...kubeArgs, '--duration', '5', '--out', out], { env });
    expect(r.exitCode, r.all).toBe(0);
    const summary = await readSummary(await runFolder(out));
    expect(summary).toMatchObject({ target: 'kube', verdict: 'pass' });
    expect(summary.hotspots[0]).toMatchObject({ name: 'hash_password' });
    expect(summary.hotspots[0]!.self).toBeGreaterThanOrEqual(0.8);
    expect(summary.debugContainer).toMatchObject({ image: 'localhost/debug-tools:latest', capabilities: ['SYS_PTRACE'], privileged: false, target: 'bad-app' });
    expect(summary.debugContainer!.name).toMatch(/^debugger-[0-9a-f]{6}$/);
    const spec = JSON.parse(summary.environment['ephemeral container (read back from the API)']!);
    expect(spec).toMatchObject({ targetContainerName: 'bad-app', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } });
    // The seed's warning: tools ran through exec, so nothing of the session is in the container's log.
    expect(summary.environment['debug container log']).toMatch(/^empty/);
    expect(summary.environment['by hand (kubectl)']).toContain('kubectl debug -n holistic-');
    expect(summary.threads!.some((t) => !t.idle && t.frames[0]!.startsWith('hash_password'))).toBe(true);
    expect(await readFile(path.join(await runFolder(out), 'app.log'), 'utf8')).toMatch(/badapp listening on 0\.0\.0\.0:8000/);
    expect(await leftovers(summary.runId)).toEqual([]);
  });

  test('an app pod that never gets Ready: exit 3 with its events and logs; the namespace is deleted', async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot', ...kubeArgs, '--out', out, '--app-env', 'BADAPP_BCRYPT_ROUNDS=banana'], { env });
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/pod holistic-[0-9a-f]+\/bad-app will not become Ready: (phase Failed|CrashLoopBackOff)/);
    expect(r.stderr).toContain("badapp: BADAPP_BCRYPT_ROUNDS='banana' is not an integer");
    expect(await leftovers((await readSummary(await runFolder(out))).runId)).toEqual([]);
  });

  test('a debug image the node does not have: exit 3 naming the image and how to load it', async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot', ...kubeArgs, '--out', out, '--tools-image', 'localhost/holistic-no-such-image:1'], { env });
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/debug container debugger-[0-9a-f]+ \(localhost\/holistic-no-such-image:1\) did not start: ErrImageNeverPull/);
    expect(r.stderr).toContain('kind load docker-image localhost/holistic-no-such-image:1');
    expect(await leftovers((await readSummary(await runFolder(out))).runId)).toEqual([]);
  });

  test('Pod Security "baseline" forbids SYS_PTRACE: exit 3 naming the level; only our pod is deleted', async ({ out }) => {
    const namespace = `holistic-psa-${process.pid}`;
    await api().createNamespace({ body: { metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } } });
    try {
      // A bare cluster has no controller-manager to make the namespace's default ServiceAccount; a full one has
      // made it already (409).
      await api().createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } }).catch((e: { code?: number }) => {
        if (e?.code !== 409) throw e;
      });
      const r = await holistic(['run', 'cpu-hotspot', ...kubeArgs, '--namespace', namespace, '--out', out], { env });
      expect(r.exitCode, r.all).toBe(3);
      expect(r.stderr).toMatch(/refused by Pod Security admission: .*violates PodSecurity "baseline:latest".*SYS_PTRACE/s);
      // The namespace was the user's: it stays; our pod does not.
      expect((await api().readNamespace({ name: namespace })).metadata!.name).toBe(namespace);
      expect((await api().listNamespacedPod({ namespace })).items).toEqual([]);
    } finally {
      await api().deleteNamespace({ name: namespace }).catch(() => undefined);
      const ns = await api().readNamespace({ name: namespace }).catch(() => undefined);
      if (ns) await api().replaceNamespaceFinalize({ name: namespace, body: { ...ns, spec: { finalizers: [] } } }).catch(() => undefined);
    }
  });

  test('no RBAC permission: exit 3 naming what was forbidden', async ({ out }) => {
    // A user the cluster's CA vouches for but no role binds: authenticated, allowed nothing.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'holistic-rbac-'));
    try {
      const pki = path.join(path.dirname(kubeconfig!), 'pki');
      await execa('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/u.key`, '-subj', '/CN=holistic-nobody', '-out', `${dir}/u.csr`]);
      await execa('openssl', ['x509', '-req', '-in', `${dir}/u.csr`, '-CA', `${pki}/ca.crt`, '-CAkey', `${pki}/ca.key`, '-CAcreateserial', '-CAserial', `${dir}/ca.srl`, '-days', '1', '-out', `${dir}/u.crt`]);
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig!);
      const cluster = kc.getCurrentCluster()!;
      await writeFile(
        `${dir}/kubeconfig`,
        JSON.stringify({
          apiVersion: 'v1', kind: 'Config', 'current-context': 'nobody',
          clusters: [{ name: 'c', cluster: { server: cluster.server, 'certificate-authority': `${pki}/ca.crt` } }],
          users: [{ name: 'nobody', user: { 'client-certificate': `${dir}/u.crt`, 'client-key': `${dir}/u.key` } }],
          contexts: [{ name: 'nobody', context: { cluster: 'c', user: 'nobody' } }],
        }),
      );
      const r = await holistic(['run', 'cpu-hotspot', ...kubeArgs, '--out', out], { env: { KUBECONFIG: `${dir}/kubeconfig` } });
      expect(r.exitCode, r.all).toBe(3);
      expect(r.stderr).toMatch(/create namespace holistic-[0-9a-f]+: forbidden: .*"holistic-nobody" cannot create resource "namespaces"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('no cluster at the address: exit 3 with the context it tried', async ({ out }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'holistic-nocluster-'));
    try {
      await writeFile(
        `${dir}/kubeconfig`,
        JSON.stringify({
          apiVersion: 'v1', kind: 'Config', 'current-context': 'gone',
          clusters: [{ name: 'gone', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
          users: [{ name: 'u', user: { token: 'x' } }],
          contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'u' } }],
        }),
      );
      const r = await holistic(['run', 'cpu-hotspot', ...kubeArgs, '--out', out], { env: { KUBECONFIG: `${dir}/kubeconfig` } });
      expect(r.exitCode, r.all).toBe(3);
      expect(r.stderr).toContain('no Kubernetes cluster answered at https://127.0.0.1:1 (context gone)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('Ctrl-C while py-spy records: exit 130, the namespace and port-forward are gone', async ({ out }) => {
    const child = holistic(['run', 'cpu-hotspot', ...kubeArgs, '--duration', '60', '--out', out], { env });
    const r = await interruptWhen(child, 'py-spy record', 2000);
    expect(r.exitCode, r.all).toBe(130);
    const summary = await readSummary(await runFolder(out));
    expect(summary.interrupted).toBe(true);
    expect(await leftovers(summary.runId)).toEqual([]);
    await expect(fetch(summary.app.url)).rejects.toThrow();
  });
});


/**
 * The environment for the FAKE kind binary: a kubeconfig whose context kind-holistic-fake is the test cluster (the
 * current context something else, as on a user's machine), its call log, and the clusters it says exist.
 */
async function fakeKind(dir: string, clusters: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig!);
  const current = kc.getCurrentContext();
  const exported = JSON.parse(kc.exportConfig()) as { contexts: { name: string }[]; 'current-context': string };
  exported.contexts = exported.contexts.map((c) => (c.name === current ? { ...c, name: 'kind-holistic-fake' } : c));
  exported['current-context'] = 'some-other-context';
  await writeFile(`${dir}/kubeconfig`, JSON.stringify(exported));
  const log = `${dir}/kind.log`;
  const env = {
    PATH: `${path.join(import.meta.dirname, '..', 'fixtures', 'fake-bin')}:${process.env.PATH}`,
    KUBECONFIG: `${dir}/kubeconfig`,
    KIND_CLUSTER: 'holistic-fake',
    FAKE_KIND_LOG: log,
    FAKE_KIND_CLUSTERS: clusters,
    // The images are podman's (the local cluster loads from podman): kind must be told to use podman.
    HOLISTIC_ENGINE: 'podman',
    // The run's temporary files (podman's image archives among them) go here, to be checked and removed.
    TMPDIR: dir,
    HOLISTIC_CLUSTER_DIR: path.dirname(kubeconfig!),
  };
  return { env, log };
}

// The real kind runs in .ci/run's kind phase (hack/kind/ci: the Makefiles and the GitHub workflow replayed); the
// fake stands in here for the exact command sequence, which the test cluster can then serve quickly.
describe.skipIf(!kubeconfig)('kind target, with a FAKE kind binary standing in for kind', () => {
  // test/fixtures/fake-bin/kind records its calls and stands for a cluster with the local test cluster:
  // the context kind-<name> points at it and `kind load image-archive` really loads into its containerd.
  const P = 'KIND_EXPERIMENTAL_PROVIDER=podman';
  const archiveLoad = (image: string) => expect.stringMatching(new RegExp(`^${P} kind load image-archive \\S+/holistic-kind-load-\\w+/\\d-${image.replace(/[^A-Za-z0-9_.-]+/g, '_')}\\.tar --name holistic-fake$`));
  test('a missing cluster is created from kind-config.yaml, both images loaded, the run passes, and --no-keep-cluster deletes it', async ({ out }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'holistic-fakekind-'));
    try {
      const { env: fakeEnv, log } = await fakeKind(dir, '');
      const r = await holistic(['run', 'cpu-hotspot', '--target', 'kind', '--duration', '3', '--no-keep-cluster', '--out', out], { env: fakeEnv });
      expect(r.exitCode, r.all).toBe(0);
      const calls = (await readFile(log, 'utf8')).trim().split('\n');
      expect(calls).toEqual([
        `${P} kind get clusters`,
        expect.stringMatching(new RegExp(`^${P} kind create cluster --name holistic-fake --config \\S+/kind-config\\.yaml --wait 120s$`)),
        archiveLoad('localhost/badapp:latest'),
        archiveLoad('localhost/debug-tools:latest'),
        `${P} kind delete cluster --name holistic-fake`,
      ]);
      // The archives podman wrote are gone.
      expect((await readdir(dir)).filter((name) => name.startsWith('holistic-kind-load-'))).toEqual([]);
      const summary = await readSummary(await runFolder(out));
      expect(summary).toMatchObject({ target: 'kind', verdict: 'pass' });
      expect(summary.environment.cluster).toContain('(context kind-holistic-fake)');

      // `holistic down` finds the reused cluster in the provider that holds it (kind lists one at a time) and deletes it.
      await writeFile(log, '');
      const down = await holistic(['down'], { env: { ...fakeEnv, FAKE_KIND_CLUSTERS: 'holistic-fake' } });
      expect(down.exitCode, down.all).toBe(0);
      expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual([
        `${P} kind get clusters`,
        `${P} kind delete cluster --name holistic-fake`,
        'KIND_EXPERIMENTAL_PROVIDER=docker kind get clusters',
      ]);
      expect(down.stderr).toContain('kind delete cluster --name holistic-fake (in podman)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('crash-on-start on kind: the cluster is made ready first (listed, images loaded), then the copy names the bad setting', async ({ out }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'holistic-fakekind-'));
    try {
      const { env: fakeEnv, log } = await fakeKind(dir, 'holistic-fake');
      const r = await holistic(['run', 'crash-on-start', '--target', 'kind', '--out', out], { env: fakeEnv });
      expect(r.exitCode, r.all).toBe(0);
      expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual([
        `${P} kind get clusters`,
        archiveLoad('localhost/badapp:latest'),
        archiveLoad('localhost/debug-tools:latest'),
      ]);
      const summary = await readSummary(await runFolder(out));
      expect(summary).toMatchObject({ target: 'kind', verdict: 'pass' });
      expect(summary.verdicts.find((v) => v.name === 'bad setting named')?.actual).toBe('BADAPP_CACHE_TTL_S="forever"');
      expect(await leftovers(summary.runId)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!kubeconfig)('beyond CPU on the kube target', () => {
  async function runKube(scenario: string, out: string) {
    const r = await holistic(['run', scenario, ...kubeArgs, '--duration', '5', '--out', out], { env, timeoutMs: 5 * 60_000 });
    const summary = await readSummary(await runFolder(out));
    return { r, summary, verdict: (name: string) => summary.verdicts.find((v) => v.name === name) };
  }

  test('memory-leak: memray staged through the ephemeral container names remember_document; the app keeps serving', async ({ out }) => {
    const { r, summary, verdict } = await runKube('memory-leak', out);
    expect(r.exitCode, r.all).toBe(0);
    expect(verdict('leak remember_document')?.actual).toMatch(/called from remember_document \(badapp\/leak\.py:\d+\)/);
    expect(verdict('app answers after the tool left')?.pass).toBe(true);
    expect(summary.debugContainer).toMatchObject({ capabilities: ['SYS_PTRACE'], privileged: false, target: 'bad-app' });
    expect(await leftovers(summary.runId)).toEqual([]);
  });

  test('lock-contention: the dumps show the queue at render_report and the holder', async ({ out }) => {
    const { r, summary, verdict } = await runKube('lock-contention', out);
    expect(r.exitCode, r.all).toBe(0);
    expect(verdict('lock holder')?.actual).toMatch(/build_slow_report \(badapp\/contention\.py:\d+\)/);
    expect(await leftovers(summary.runId)).toEqual([]);
  });

  test('native-view: a privileged ephemeral container (sysadmin) runs bpftrace; bcrypt\'s Rust code first', async ({ out }) => {
    const { r, summary, verdict } = await runKube('native-view', out);
    expect(r.exitCode, r.all).toBe(0);
    expect(summary.debugContainer).toMatchObject({ privileged: true, target: 'bad-app' });
    expect(JSON.parse(summary.environment['ephemeral container (read back from the API)']!).securityContext).toEqual({ privileged: true });
    expect(verdict("native bcrypt's extension (_bcrypt.abi3.so)")?.actual).toMatch(/top symbol blowfish::Blowfish<T>::encrypt/);
    expect(await leftovers(summary.runId)).toEqual([]);
  });

  test('crash-on-start: a copy of the pod with the tools image (kubectl debug --copy-to) names the bad setting', async ({ out }) => {
    const { r, summary, verdict } = await runKube('crash-on-start', out);
    expect(r.exitCode, r.all).toBe(0);
    expect(verdict('bad setting named')?.actual).toBe('BADAPP_CACHE_TTL_S="forever"');
    expect(r.stderr).toMatch(/copy of bad-app \(kubectl debug --copy-to=bad-app-copy1 --set-image=\*=localhost\/debug-tools:latest\)/);
    expect(await leftovers(summary.runId)).toEqual([]);
  });
});
