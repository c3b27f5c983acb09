/**
 * Pods beside the app's, for a load generator that runs in the cluster (load/types.ts PodLauncher): in the run's
 * namespace, with the run's labels, as unprivileged as the restricted Pod Security level asks (non-root, no
 * capabilities, no service account token), reaching the app by its pod IP. Every pod and ConfigMap registers
 * its deletion with the run's cleanup the moment it is made, so an aborted or failed run leaves none.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Cleanup } from '../../cleanup.js';
import { prettyCommand } from '../../exec.js';
import type { PodLauncher, SidePod, SidePodSpec, SidePodState } from '../../load/types.js';
import { call, type KubeClient } from './client.js';
import { isNotFound, runLabels } from './namespace.js';
import { deletePodAndWait, podLogs, waitPodStarted } from './pod.js';

export interface SidePodsOptions {
  client: KubeClient;
  namespace: string;
  runId: string;
  /** The app's address from inside the cluster. */
  appIp: string;
  appPort: number;
  /** The user's --node, for clusters without a scheduler and more than one node. */
  nodeName?: string;
  imagePullPolicy(image: string): string;
  /** Make an image usable by the nodes first (kind: build it if it is the project's, then `kind load`). */
  prepareImage?(image: string): Promise<void>;
  cleanup: Cleanup;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** The label that groups pods to spread (SidePodSpec.spreadGroup). */
export const spreadLabel = 'holistic.spread';

export function sidePods(o: SidePodsOptions): PodLauncher {
  const { client, namespace } = o;
  const prepared = new Map<string, Promise<void>>();
  return {
    appUrl: `http://${o.appIp}:${o.appPort}`,
    namespace,
    async files(name, files) {
      o.cleanup.add(`delete configmap ${namespace}/${name}`, () => deleteConfigMap(client, namespace, name));
      await call(`create configmap ${namespace}/${name}`, client.core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels: runLabels(o.runId) }, data: files } }));
    },
    async start(spec) {
      if (o.prepareImage) {
        if (!prepared.has(spec.image)) prepared.set(spec.image, o.prepareImage(spec.image));
        await prepared.get(spec.image);
      }
      const body = sidePodManifest(spec, o);
      // A load generator needs no grace period.
      const remove = () => deletePodAndWait(client, namespace, spec.name, 0);
      o.cleanup.add(`delete pod ${namespace}/${spec.name}`, remove);
      await call(`create pod ${namespace}/${spec.name}`, client.core.createNamespacedPod({ namespace, body }));
      const pod = await waitPodStarted(client, namespace, spec.name, { timeoutMs: 120_000, signal: o.signal, log: o.log });
      return handle(client, namespace, spec.name, pod.status?.podIP ?? '', remove);
    },
  };
}

export function sidePodManifest(spec: SidePodSpec, o: Pick<SidePodsOptions, 'namespace' | 'runId' | 'nodeName' | 'imagePullPolicy'>): V1Pod {
  const mounts = spec.mounts ?? [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: spec.name, namespace: o.namespace, labels: { run: spec.name, ...(spec.spreadGroup ? { [spreadLabel]: spec.spreadGroup } : {}), ...runLabels(o.runId) } },
    spec: {
      restartPolicy: 'Never',
      // Preferred, not required: a one-node cluster still runs every worker (on the same node).
      ...(spec.spreadGroup
        ? { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { [spreadLabel]: spec.spreadGroup } } } }] } } }
        : {}),
      automountServiceAccountToken: false,
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [
        ...mounts.map((m) => ({ name: m.files, configMap: { name: m.files } })),
        ...(spec.scratch ? [{ name: 'scratch', emptyDir: {} }] : []),
      ],
      containers: [
        {
          name: spec.name,
          image: spec.image,
          imagePullPolicy: o.imagePullPolicy(spec.image),
          args: spec.args,
          env: Object.entries(spec.env).map(([name, value]) => ({ name, value })),
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          volumeMounts: [
            ...mounts.map((m) => ({ name: m.files, mountPath: m.path, readOnly: true })),
            ...(spec.scratch ? [{ name: 'scratch', mountPath: spec.scratch }] : []),
          ],
        },
      ],
    },
  };
}

function handle(client: KubeClient, namespace: string, name: string, ip: string, remove: () => Promise<void>): SidePod {
  return {
    name,
    ip,
    logsCommand: prettyCommand('kubectl', ['logs', '-n', namespace, `pod/${name}`]),
    logs: () => podLogs(client, namespace, name, name),
    remove,
    async state(): Promise<SidePodState> {
      let pod: V1Pod;
      try {
        pod = await call(`read pod ${namespace}/${name}`, client.core.readNamespacedPod({ name, namespace }));
      } catch (error) {
        if (isNotFound(error)) return { phase: 'Gone', reason: 'deleted' };
        throw error;
      }
      const s = pod.status?.containerStatuses?.find((c) => c.name === name)?.state;
      return { phase: pod.status?.phase ?? 'Unknown', exitCode: s?.terminated?.exitCode, reason: s?.terminated?.reason ?? s?.waiting?.reason };
    },
  };
}

async function deleteConfigMap(client: KubeClient, namespace: string, name: string): Promise<void> {
  try {
    await call(`delete configmap ${namespace}/${name}`, client.core.deleteNamespacedConfigMap({ name, namespace }));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
