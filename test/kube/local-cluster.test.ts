// End-to-end check of the local single-node Kubernetes (hack/local-cluster/up): a real kube-apiserver and
// kubelet running the bad-app image in containerd, driven with the real kubectl 1.34 built by hack/k8s/build.
// Covers what the harness's Kubernetes path needs: pod, port-forward, an ephemeral debug container
// (kubectl debug --target --profile=general), exec (py-spy dump of the app), and kubectl cp.
//
// Needs HOLISTIC_KUBECONFIG (set by .ci/run from the last line of hack/local-cluster/ci or up);
// skipped when it is unset. The images localhost/badapp:latest and localhost/debug-tools:latest come from
// hack/images/build (podman); the test loads them into the cluster with hack/local-cluster/load-image.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KUBECONFIG = process.env.HOLISTIC_KUBECONFIG;
const APP_IMAGE = 'localhost/badapp:latest';
const TOOLS_IMAGE = 'localhost/debug-tools:latest';
const APP_CONTAINER = 'app';
const DEBUGGER = 'debugger';
const NAMESPACE = 'default';
const POD = `holistic-lc-${randomBytes(3).toString('hex')}`;

/** The kubectl built by hack/k8s/build for the pinned version (never the machine's /usr/bin/kubectl). */
function kubectlPath(): string {
  if (process.env.HOLISTIC_KUBECTL) return process.env.HOLISTIC_KUBECTL;
  const versions = readFileSync(path.join(REPO, 'hack/k8s/versions.env'), 'utf8');
  const version = process.env.K8S_VERSION ?? /K8S_VERSION:-(v[0-9.]+)/.exec(versions)?.[1];
  if (!version) throw new Error('cannot read K8S_VERSION from hack/k8s/versions.env');
  const cache = process.env.HOLISTIC_CACHE_DIR ?? path.join(homedir(), '.cache/holistic');
  return path.join(cache, 'k8s', version, 'bin', 'kubectl');
}

const skipReason = KUBECONFIG
  ? ''
  : ' [SKIPPED: HOLISTIC_KUBECONFIG is unset; start a cluster with hack/local-cluster/up and export its last line]';
if (!KUBECONFIG) console.warn(`test/kube/local-cluster.test.ts${skipReason}`);

// .ci/run sets HOLISTIC_REQUIRE_KUBE=1: there a missing cluster is a failure with its reason, not a skip.
if (!KUBECONFIG && process.env.HOLISTIC_REQUIRE_KUBE === '1') {
  it('the local cluster is up (required by HOLISTIC_REQUIRE_KUBE=1)', () => {
    expect.fail('HOLISTIC_KUBECONFIG is unset: hack/local-cluster/ci did not bring the cluster up (see the local-cluster phase above)');
  });
}

describe.skipIf(!KUBECONFIG)(`local Kubernetes cluster (real apiserver + kubelet)${skipReason}`, () => {
  const kubectl = kubectlPath();
  const kc = (args: string[], opts: { timeout?: number; input?: string } = {}) =>
    execa(kubectl, ['--kubeconfig', KUBECONFIG!, '--namespace', NAMESPACE, ...args], {
      timeout: opts.timeout ?? 60_000,
      input: opts.input,
    });
  let work = '';
  let nodeName = '';

  beforeAll(async () => {
    expect(existsSync(kubectl), `kubectl not built at ${kubectl} (run hack/k8s/build)`).toBe(true);
    const { stdout: version } = await execa(kubectl, ['version', '--client', '-o', 'json']);
    expect(JSON.parse(version).clientVersion.gitVersion).toMatch(/^v1\.34\./);
    work = mkdtempSync(path.join(tmpdir(), 'holistic-lc-test-'));

    // Load the project's images into the cluster's containerd (idempotent; a few seconds).
    const load = await execa(path.join(REPO, 'hack/local-cluster/load-image'), [APP_IMAGE, TOOLS_IMAGE], {
      env: { HOLISTIC_CLUSTER_DIR: path.dirname(KUBECONFIG!) },
      reject: false,
      timeout: 300_000,
    });
    nodeName = (await kc(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout.trim();
    expect(nodeName, 'the cluster has no node').not.toBe('');
    if (load.exitCode !== 0) {
      // Maybe CI loaded them already and podman is not available here: accept images already on the node.
      const images = (await kc(['get', 'node', nodeName, '-o', 'jsonpath={.status.images[*].names}'])).stdout;
      for (const image of [APP_IMAGE, TOOLS_IMAGE]) {
        expect(images, `image ${image} is neither loadable (${load.stdout}\n${load.stderr}) nor on the node`).toContain(
          image,
        );
      }
    }

    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: POD, namespace: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'holistic-test' } },
      spec: {
        nodeName, // no scheduler in this cluster
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 1, // python as PID 1 ignores SIGTERM
        containers: [
          {
            name: APP_CONTAINER,
            image: APP_IMAGE,
            imagePullPolicy: 'Never',
            ports: [{ containerPort: 8000 }],
          },
        ],
      },
    };
    await kc(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await kc(['wait', '--for=condition=Ready', `pod/${POD}`, '--timeout=120s'], { timeout: 130_000 });
  }, 420_000);

  afterAll(async () => {
    if (KUBECONFIG) {
      await kc(['delete', 'pod', POD, '--ignore-not-found', '--grace-period=1', '--wait=true', '--timeout=60s'], {
        timeout: 70_000,
      }).catch(() => kc(['delete', 'pod', POD, '--ignore-not-found', '--grace-period=0', '--force']));
    }
    if (work) rmSync(work, { recursive: true, force: true });
  }, 90_000);

  it('runs the bad-app pod and reaches it with kubectl port-forward', async () => {
    const phase = (await kc(['get', 'pod', POD, '-o', 'jsonpath={.status.phase}'])).stdout;
    expect(phase).toBe('Running');

    const forward: ResultPromise = execa(
      kubectl,
      ['--kubeconfig', KUBECONFIG!, '-n', NAMESPACE, 'port-forward', '--address', '127.0.0.1', `pod/${POD}`, ':8000'],
      { buffer: false },
    );
    try {
      const localPort = await new Promise<number>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`port-forward did not start: ${out}`)), 30_000);
        forward.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 8000/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        forward.catch((err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      const res = await fetch(`http://127.0.0.1:${localPort}/`, { signal: AbortSignal.timeout(30_000) });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^is this what you are looking for\?: \$2b\$/);
    } finally {
      forward.kill('SIGTERM');
      await forward.catch(() => undefined);
    }
  }, 90_000);

  describe('ephemeral debug container', () => {
    beforeAll(async () => {
      // The general profile is expected to add SYS_PTRACE; pass it explicitly too, since profile defaults
      // changed across kubectl versions (kubectl merges --custom into the profile's container).
      const custom = path.join(work, 'debug-custom.json');
      writeFileSync(custom, JSON.stringify({ securityContext: { capabilities: { add: ['SYS_PTRACE'] } } }));
      await kc([
        'debug',
        POD,
        `--target=${APP_CONTAINER}`,
        '--profile=general',
        `--custom=${custom}`,
        `--image=${TOOLS_IMAGE}`,
        '--image-pull-policy=Never',
        `--container=${DEBUGGER}`,
        '--',
        'sleep',
        'infinity', // ephemeral containers cannot be restarted: keep it alive and exec each tool into it
      ]);
      const deadline = Date.now() + 90_000;
      for (;;) {
        const running = (
          await kc([
            'get',
            'pod',
            POD,
            '-o',
            `jsonpath={.status.ephemeralContainerStatuses[?(@.name=="${DEBUGGER}")].state.running.startedAt}`,
          ])
        ).stdout;
        if (running) break;
        if (Date.now() > deadline) {
          const { stdout } = await kc(['get', 'pod', POD, '-o', 'jsonpath={.status.ephemeralContainerStatuses}']);
          throw new Error(`debug container not running after 90s: ${stdout}`);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }, 120_000);

    it('targets the app container with SYS_PTRACE', async () => {
      const { stdout } = await kc(['get', 'pod', POD, '-o', 'json']);
      const spec = JSON.parse(stdout).spec;
      const debug = (spec.ephemeralContainers ?? []).find((c: { name: string }) => c.name === DEBUGGER);
      expect(debug, 'no ephemeral container in the pod spec').toBeDefined();
      expect(debug.targetContainerName).toBe(APP_CONTAINER);
      expect(debug.image).toBe(TOOLS_IMAGE);
      expect(debug.securityContext?.capabilities?.add ?? []).toContain('SYS_PTRACE');
    }, 30_000);

    it('py-spy dump from the debug container shows the app’s Python stack', async () => {
      const { stdout } = await kc(['exec', POD, '-c', DEBUGGER, '--', 'py-spy', 'dump', '--pid', '1'], {
        timeout: 60_000,
      });
      expect(stdout).toMatch(/serve_forever|badapp/);
    }, 90_000);

    it('kubectl cp copies a file out of the debug container', async () => {
      const token = `holistic-cp-${randomBytes(8).toString('hex')}`;
      await kc(['exec', POD, '-c', DEBUGGER, '--', 'sh', '-c', `printf '%s\\n' ${token} > /tmp/holistic-cp.txt`]);
      const dest = path.join(work, 'copied.txt');
      await kc(['cp', '-c', DEBUGGER, `${NAMESPACE}/${POD}:/tmp/holistic-cp.txt`, dest], { timeout: 60_000 });
      expect(readFileSync(dest, 'utf8')).toBe(`${token}\n`);
    }, 90_000);
  });
});
