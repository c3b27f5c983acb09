/**
 * The app's pod, made the way `kubectl run NAME --image=… --image-pull-policy=… --restart=Never` makes it, plus
 * a readiness probe on the app's health path; and the wait for Ready that explains what went wrong (events,
 * container states, logs) instead of timing out silently.
 */
import { CoordinationV1Api, type CoreV1Event, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppSpec } from '../../app.js';
import { PrerequisiteError } from '../../errors.js';
import { tail } from '../../exec.js';
import { call, statusCode, type KubeClient } from './client.js';
import { isNotFound, runLabels } from './namespace.js';

export interface PodOptions {
  namespace: string;
  runId: string;
  env: Record<string, string>;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** Pin to a node (clusters without a scheduler, like this repository's test cluster). */
  nodeName?: string;
}

/** AppSpec.container as a pod's container fields: command, args, workingDir, user, read-only root, resources. */
function containerShape(app: AppSpec): Partial<V1Container> {
  const c = app.container;
  if (!c) return {};
  const [uid, gid] = (c.user ?? '').split(':').map(Number);
  const security = {
    ...(c.user ? { runAsUser: uid, ...(gid !== undefined ? { runAsGroup: gid } : {}) } : {}),
    ...(c.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
  };
  return {
    ...(c.command ? { command: c.command } : {}),
    ...(c.args ? { args: c.args } : {}),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    ...(Object.keys(security).length ? { securityContext: security } : {}),
    ...(c.resources ? { resources: c.resources } : {}),
    // The tools stage into the app's /tmp (memray): writable even with a read-only root.
    ...(c.readOnlyRootFilesystem ? { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] } : {}),
  };
}

export function appPodManifest(app: AppSpec, options: PodOptions): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: app.name,
      namespace: options.namespace,
      labels: { run: app.name, ...runLabels(options.runId) },
    },
    spec: {
      restartPolicy: 'Never',
      // The app needs no API access: no token in the pod.
      automountServiceAccountToken: false,
      ...(options.nodeName ? { nodeName: options.nodeName } : {}),
      ...(app.container?.readOnlyRootFilesystem ? { volumes: [{ name: 'tmp', emptyDir: {} }] } : {}),
      containers: [
        {
          name: app.name,
          image: app.image!,
          imagePullPolicy: options.imagePullPolicy,
          env: Object.entries(options.env).map(([name, value]) => ({ name, value })),
          ports: [{ containerPort: app.port }],
          ...containerShape(app),
          readinessProbe: { httpGet: { path: app.healthPath, port: app.port }, periodSeconds: 1, failureThreshold: 3 },
        },
      ],
    },
  };
}

/**
 * What `kubectl debug POD --copy-to=NAME --set-image=*=IMAGE -- argv` makes of a pod: the same spec and
 * environment, the given image and command, no probes (the tools are not the app), never restarted.
 */
export function copyPodManifest(pod: V1Pod, copy: { name: string; image: string; imagePullPolicy: string; command: readonly string[] }): V1Pod {
  return {
    ...pod,
    metadata: { ...pod.metadata, name: copy.name, labels: { ...pod.metadata?.labels, run: copy.name } },
    spec: {
      ...pod.spec!,
      restartPolicy: 'Never',
      containers: pod.spec!.containers.map((c) => ({
        ...c,
        image: copy.image,
        imagePullPolicy: copy.imagePullPolicy,
        command: [...copy.command],
        args: undefined,
        readinessProbe: undefined,
        livenessProbe: undefined,
        ports: undefined,
      })),
    },
  };
}

/**
 * Wait until the pod's container has terminated; undefined if it is still running (or was never placed) at
 * the deadline. Places the pod on a cluster without a scheduler, as waitPodReady does.
 */
export async function waitPodTerminated(
  client: KubeClient,
  namespace: string,
  name: string,
  container: string,
  options: { timeoutMs: number; signal: AbortSignal; log: (line: string) => void },
): Promise<{ exitCode: number; reason: string | undefined } | undefined> {
  const started = Date.now();
  let bound = false;
  while (Date.now() - started < options.timeoutMs) {
    options.signal.throwIfAborted();
    const pod = await call(`read pod ${namespace}/${name}`, client.core.readNamespacedPod({ name, namespace }));
    if (!bound && (await needsPlacing(client, pod, started))) {
      await bindToOnlyNode(client, namespace, name, options.log);
      bound = true;
      continue;
    }
    const status = pod.status?.containerStatuses?.find((c) => c.name === container);
    const terminated = status?.state?.terminated ?? status?.lastState?.terminated;
    if (terminated) return { exitCode: terminated.exitCode, reason: terminated.reason };
    const waiting = status?.state?.waiting?.reason;
    if (waiting && hopeless.has(waiting) && waiting !== 'CrashLoopBackOff') {
      throw new PrerequisiteError(`pod ${namespace}/${name} cannot start: ${waiting}\n${await diagnose(client, namespace, name, pod)}`);
    }
    await sleep(500);
  }
  return undefined;
}

async function needsPlacing(client: KubeClient, pod: V1Pod, started: number): Promise<boolean> {
  return (
    !pod.spec?.nodeName &&
    !pod.status?.conditions?.some((c) => c.type === 'PodScheduled') &&
    (Date.now() - started > schedulerGraceMs || (await schedulerIsAbsent(client)))
  );
}

/** Waiting reasons that will not fix themselves: stop waiting and explain. */
const hopeless = new Set([
  'ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName', 'CrashLoopBackOff',
  'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError',
]);

export async function waitPodReady(
  client: KubeClient,
  namespace: string,
  name: string,
  options: { timeoutMs: number; signal: AbortSignal; log: (line: string) => void },
): Promise<V1Pod> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let pod: V1Pod | undefined;
  let bound = false;
  while (Date.now() < deadline) {
    options.signal.throwIfAborted();
    pod = await call(`read pod ${namespace}/${name}`, client.core.readNamespacedPod({ name, namespace }));
    if (!bound && (await needsPlacing(client, pod, started))) {
      await bindToOnlyNode(client, namespace, name, options.log);
      bound = true;
      continue;
    }
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (ready) return pod;
    const waiting = pod.status?.containerStatuses?.map((s) => s.state?.waiting?.reason).find((r) => r && hopeless.has(r));
    const ended = pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
    if (waiting || ended) {
      throw new PrerequisiteError(`pod ${namespace}/${name} will not become Ready: ${waiting ?? `phase ${pod.status?.phase}`}\n${await diagnose(client, namespace, name, pod)}`);
    }
    await sleep(500);
  }
  throw new PrerequisiteError(
    `pod ${namespace}/${name} was not Ready within ${options.timeoutMs / 1000} s (phase ${pod?.status?.phase ?? 'unknown'})\n` +
      (await diagnose(client, namespace, name, pod)),
  );
}

/**
 * Wait until the pod runs and has an IP, or has already ended (a pod with nothing to wait for: the caller reads
 * its state). Places it on a cluster without a scheduler, as waitPodReady does; a container that cannot start
 * (image not on the node, bad config) is a PrerequisiteError with the diagnosis.
 */
export async function waitPodStarted(
  client: KubeClient,
  namespace: string,
  name: string,
  options: { timeoutMs: number; signal: AbortSignal; log: (line: string) => void },
): Promise<V1Pod> {
  const started = Date.now();
  let pod: V1Pod | undefined;
  let bound = false;
  while (Date.now() - started < options.timeoutMs) {
    options.signal.throwIfAborted();
    pod = await call(`read pod ${namespace}/${name}`, client.core.readNamespacedPod({ name, namespace }));
    if (!bound && (await needsPlacing(client, pod, started))) {
      await bindToOnlyNode(client, namespace, name, options.log);
      bound = true;
      continue;
    }
    const phase = pod.status?.phase;
    if ((phase === 'Running' && pod.status?.podIP) || phase === 'Succeeded' || phase === 'Failed') return pod;
    const waiting = pod.status?.containerStatuses?.map((s) => s.state?.waiting?.reason).find((r) => r && hopeless.has(r));
    if (waiting) throw new PrerequisiteError(`pod ${namespace}/${name} cannot start: ${waiting}\n${await diagnose(client, namespace, name, pod)}`);
    await sleep(500);
  }
  throw new PrerequisiteError(
    `pod ${namespace}/${name} was not running within ${options.timeoutMs / 1000} s (phase ${pod?.status?.phase ?? 'unknown'})\n` + (await diagnose(client, namespace, name, pod)),
  );
}

/**
 * kube-scheduler holds a lease in kube-system while it runs; without one there is surely no scheduler, so
 * there is no point waiting. (Unreadable: we don't know, and wait the grace period.)
 */
async function schedulerIsAbsent(client: KubeClient): Promise<boolean> {
  try {
    await call('read lease kube-system/kube-scheduler', client.config.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system' }));
    return false;
  } catch (error) {
    return statusCode(error) === 404;
  }
}

/** How long a pod may wait for a scheduler to look at it before we conclude there is none. */
const schedulerGraceMs = 5000;

/**
 * A cluster without a scheduler (this repository's test cluster has none) never places the pod. When the
 * cluster has exactly one ready node, do what a scheduler would: bind the pod to it. With more nodes, the
 * choice is the user's (--node).
 */
async function bindToOnlyNode(client: KubeClient, namespace: string, name: string, log: (line: string) => void): Promise<void> {
  const nodes = (await call('list nodes', client.core.listNode())).items.filter(
    (n) => !n.spec?.unschedulable && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  if (nodes.length !== 1) {
    throw new PrerequisiteError(
      `no scheduler placed pod ${namespace}/${name} within ${schedulerGraceMs / 1000} s and the cluster has ${nodes.length} ready nodes: pick one with --node NAME`,
    );
  }
  const node = nodes[0]!.metadata!.name!;
  log(`no scheduler is placing the pod: binding it to the only ready node, ${node}, as a scheduler would`);
  await call(
    `bind pod ${namespace}/${name} to node ${node}`,
    client.core.createNamespacedPodBinding({
      name,
      namespace,
      body: { metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
    }),
  );
}

/** Events, container states and the last log lines of a pod: what `kubectl describe` + `logs` would show. */
export async function diagnose(client: KubeClient, namespace: string, name: string, pod?: V1Pod): Promise<string> {
  const lines: string[] = [];
  for (const s of [...(pod?.status?.containerStatuses ?? []), ...(pod?.status?.ephemeralContainerStatuses ?? [])]) {
    const state = s.state?.waiting
      ? `waiting: ${s.state.waiting.reason ?? ''} ${s.state.waiting.message ?? ''}`
      : s.state?.terminated
        ? `terminated: exit ${s.state.terminated.exitCode} ${s.state.terminated.reason ?? ''}`
        : 'running';
    lines.push(`container ${s.name}: ${state.trim()}`);
  }
  try {
    const events = await call(
      `list events of ${namespace}/${name}`,
      client.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` }),
    );
    const sorted = [...events.items].sort((a: CoreV1Event, b: CoreV1Event) => eventTime(a) - eventTime(b)).slice(-8);
    if (sorted.length) lines.push('events:', ...sorted.map((e) => `  ${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`));
  } catch {
    // diagnosis is best effort
  }
  const logs = await podLogs(client, namespace, name, pod?.spec?.containers?.[0]?.name);
  if (logs) lines.push('its last output:', tail(logs, 15));
  return lines.join('\n');
}

function eventTime(e: CoreV1Event): number {
  return new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0).getTime();
}

export async function podLogs(client: KubeClient, namespace: string, name: string, container?: string): Promise<string> {
  try {
    return await call(`read logs of ${namespace}/${name}`, client.core.readNamespacedPodLog({ name, namespace, container, limitBytes: 256 * 1024 }));
  } catch {
    return '';
  }
}

/** Delete a pod and wait until it is gone (60 s at most), so nothing of it is left when the caller returns. */
export async function deletePodAndWait(client: KubeClient, namespace: string, name: string, gracePeriodSeconds: number): Promise<void> {
  try {
    await call(`delete pod ${namespace}/${name}`, client.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds }));
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      await call(`read pod ${namespace}/${name}`, client.core.readNamespacedPod({ name, namespace }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    await sleep(300);
  }
  throw new Error(`pod ${namespace}/${name} was still there 60 s after it was deleted`);
}
