/**
 * Port-forward vs in-cluster load on the test cluster (HOLISTIC_KUBECONFIG), bad-app /healthz: autocannon on this
 * machine through `kubectl port-forward` (how the kube target loads today), and Locust as pods next to the app
 * (localhost/holistic-locust:latest, hack/images/locust/build + hack/local-cluster/load-image) hitting its pod IP
 * directly (the test cluster has no Service routing). Everything lives in one namespace labelled with the bench's run id and owner, deleted at the end.
 * A measurement, not the kube target's Locust integration (docs/locust.md says what that still needs).
 */
import { randomBytes } from 'node:crypto';
import { run, spawnBackground } from '../harness/exec.js';
import { runLoad } from '../harness/load/autocannon.js';
import { locustfile } from '../harness/load/locust/locustfile.js';
import { summarizeLocust, type WorkerRecord } from '../harness/load/locust/summary.js';
import { ResponseRecorder } from '../harness/load/responses.js';
import { ownerLabel, ownerText, runLabel } from '../harness/owner.js';

const kubectl = (args: string[], input?: string) => run('kubectl', args, { timeoutMs: 180_000, input, env: { KUBECONFIG: process.env.HOLISTIC_KUBECONFIG } });

function pod(name: string, image: string, args: string[], env: Record<string, string>, labels: Record<string, string>, volumes = true) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name, image, imagePullPolicy: 'Never', args, env: Object.entries(env).map(([n, value]) => ({ name: n, value })),
        ...(volumes ? { volumeMounts: [{ name: 'locustfile', mountPath: '/locust' }, { name: 'out', mountPath: '/out' }] } : {}) }],
      ...(volumes ? { volumes: [{ name: 'locustfile', configMap: { name: 'locustfile' } }, { name: 'out', emptyDir: {} }] } : {}),
    },
  };
}

async function podIp(ns: string, name: string): Promise<string> {
  for (let i = 0; i < 120; i++) {
    const ip = (await kubectl(['-n', ns, 'get', `pod/${name}`, '-o', 'jsonpath={.status.podIP}'])).stdout.trim();
    if (ip) return ip;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`pod ${name} got no IP`);
}

export async function inClusterBench(durationS: number, users: number, workers: number): Promise<void> {
  console.log(`\n## Port-forward vs in-cluster load on the test cluster: bad-app /healthz, ${users} connections/users, ${durationS} s`);
  const id = `bench-locust-${randomBytes(3).toString('hex')}`;
  const ns = `holistic-${id}`;
  const labels = { [runLabel]: id, [ownerLabel]: ownerText() };
  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } }));
  const n = ['-n', ns];
  try {
    const file = locustfile({ kinds: [{ path: '/healthz' }], users, pluginDir: '/opt/holistic' });
    await kubectl([...n, 'create', 'configmap', 'locustfile', `--from-literal=locustfile.py=${file}`]);
    const app = pod('badapp', 'localhost/badapp:latest', [], { HOST: '0.0.0.0', PORT: '8000' }, { ...labels, app: 'badapp' }, false);
    // The test cluster has no kube-proxy or cluster DNS (NOTES-K8S): pods are reached by their IPs.
    await kubectl([...n, 'apply', '-f', '-'], JSON.stringify(app));
    await kubectl([...n, 'wait', '--for=condition=Ready', 'pod/badapp', '--timeout=120s']);
    const appIp = await podIp(ns, 'badapp');
    const viaForward = await portForwardCeiling(ns, users, durationS);
    const inCluster = await locustPods(ns, labels, users, workers, durationS, appIp);
    console.log('path                                    req/s   ×port-forward');
    console.log(`autocannon here, via port-forward   ${viaForward.toFixed(0).padStart(8)}   ${(1).toFixed(2).padStart(12)}`);
    console.log(`locust pods (${workers} workers), in-cluster ${inCluster.toFixed(0).padStart(8)}   ${(inCluster / viaForward).toFixed(2).padStart(12)}`);
  } finally {
    await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
  }
}

async function portForwardCeiling(ns: string, users: number, durationS: number): Promise<number> {
  const forward = spawnBackground('kubectl', ['-n', ns, 'port-forward', 'pod/badapp', ':8000'], { env: { KUBECONFIG: process.env.HOLISTIC_KUBECONFIG } });
  try {
    let port: number | undefined;
    for (let i = 0; i < 100 && !port; i++) {
      await new Promise((r) => setTimeout(r, 100));
      port = Number(/127\.0\.0\.1:(\d+)/.exec(forward.output())?.[1]) || undefined;
    }
    if (!port) throw new Error(`port-forward never listened: ${forward.output()}`);
    const raw = await runLoad({ url: `http://127.0.0.1:${port}/healthz`, connections: users, durationS, recorder: new ResponseRecorder() });
    return raw.requests.total / durationS;
  } finally {
    await forward.stop();
  }
}

async function locustPods(ns: string, labels: Record<string, string>, users: number, workers: number, durationS: number, appIp: string): Promise<number> {
  const n = ['-n', ns];
  const common = ['-f', '/locust/locustfile.py'];
  const master = pod('locust-master', 'localhost/holistic-locust:latest', [...common, '--master', '--headless', '--expect-workers', String(workers), '--expect-workers-max-wait', '60', '--users', String(users), '--spawn-rate', String(users), '--run-time', `${durationS}s`, '--stop-timeout', '0', '--host', `http://${appIp}:8000`, '--only-summary'], { HOLISTIC_LOCUST_OUT: '/out' }, { ...labels, app: 'locust-master' });
  await kubectl([...n, 'apply', '-f', '-'], JSON.stringify(master));
  const masterIp = await podIp(ns, 'locust-master');
  const ws = Array.from({ length: workers }, (_, i) => pod(`worker-${i + 1}`, 'localhost/holistic-locust:latest', [...common, '--worker', '--master-host', masterIp], { HOLISTIC_LOCUST_OUT: '/out', HOLISTIC_LOCUST_WORKER: `worker-${i + 1}`, HOLISTIC_LOCUST_PRINT: '1' }, labels));
  await kubectl([...n, 'apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: ws }));
  await kubectl([...n, 'wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/locust-master', `--timeout=${durationS + 150}s`]).catch(async (error: unknown) => {
    const pods = await kubectl([...n, 'get', 'pods', '-o', 'wide']).catch(() => undefined);
    const log = await kubectl([...n, 'logs', 'pod/locust-master', '--tail=30']).catch(() => undefined);
    throw new Error(`the Locust master pod did not complete:\n${pods?.stdout}\n${log?.stdout}`, { cause: error });
  });
  const records: WorkerRecord[] = [];
  for (const w of ws) {
    await kubectl([...n, 'wait', '--for=jsonpath={.status.phase}=Succeeded', `pod/${w.metadata.name}`, '--timeout=60s']);
    const log = (await kubectl([...n, 'logs', `pod/${w.metadata.name}`])).stdout;
    const line = log.split('\n').find((l) => l.startsWith('HOLISTIC_LOCUST_RECORD '));
    if (!line) throw new Error(`${w.metadata.name} printed no record:\n${log.slice(-2000)}`);
    records.push(JSON.parse(line.slice('HOLISTIC_LOCUST_RECORD '.length)) as WorkerRecord);
  }
  const load = summarizeLocust(records, { url: `http://${appIp}:8000`, users, durationS, loadgenCpuS: 0, logs: {} });
  console.log(`in-cluster Locust: ${load.requests} requests, p50 ${load.p50_ms} ms, p99 ${load.p99_ms} ms; per worker ${load.workers!.map((w) => `${w.name} ${w.requests}`).join(', ')}`);
  return load.requests / durationS;
}
