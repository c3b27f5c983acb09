/**
 * Debug sessions on pods holistic did not create. Ephemeral containers cannot be removed or restarted
 * (KEP-277): every `kubectl debug` adds one for the pod's lifetime, and a tool that adds one per run leaves
 * pods carrying dozens. So before adding one, look for holistic's own: a running ephemeral container named
 * `debugger-…` with the same image, the same target container, the same securityContext (profile) and the
 * same long-lived command. If there is one, exec into it; else add one. Either way, say how many ephemeral
 * containers the pod now carries (they stay until the pod is replaced).
 */
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { DebugProfile, DebugSession } from '../types.js';
import { call, type KubeClient } from './client.js';
import { addDebugContainer, debugContainerName, debugContainerSpec, securityContextFor, ephemeralSession } from './debug-container.js';
import { kubeExec, type ExecTarget } from './exec.js';

export interface DebugWanted {
  image: string;
  /** The app container the debug container joins (targetContainerName). */
  target: string;
  profile: DebugProfile;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
}

/** Holistic's naming of its debug containers (debugContainerName). */
const ours = /^debugger-[0-9a-f]{6}$/;

/** The name of a running ephemeral container of ours that matches what is wanted, if any. */
export function findReusableDebugContainer(pod: V1Pod, wanted: DebugWanted): string | undefined {
  const specs = pod.spec?.ephemeralContainers ?? [];
  const statuses = pod.status?.ephemeralContainerStatuses ?? [];
  const want = securityContextFor(wanted.profile) ?? {};
  const match = (c: V1EphemeralContainer) =>
    ours.test(c.name) &&
    c.image === wanted.image &&
    c.targetContainerName === wanted.target &&
    isDeepStrictEqual(c.command ?? [], ['sleep', 'infinity']) &&
    isDeepStrictEqual(normalise(c.securityContext), normalise(want)) &&
    Boolean(statuses.find((s) => s.name === c.name)?.state?.running);
  return specs.find(match)?.name;
}

/** securityContext as a comparable value: absent fields and empty objects are the same as missing. */
function normalise(sc: V1EphemeralContainer['securityContext']): unknown {
  return JSON.parse(JSON.stringify(sc ?? {}, (_k, v) => (v === null || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) ? undefined : v)) ?? '{}');
}

/** How many ephemeral containers a pod carries (holistic's and anyone else's). */
export function ephemeralContainerCount(pod: V1Pod): number {
  return pod.spec?.ephemeralContainers?.length ?? 0;
}

export interface AttachedSession {
  session: DebugSession;
  /** The debug container was already there and is reused (no new ephemeral container). */
  reused: boolean;
  name: string;
  /** Ephemeral containers on the pod after this attach; they stay until the pod is replaced. */
  ephemeralContainers: number;
}

/**
 * Reuse holistic's matching debug container on the pod, or add one (pods/ephemeralcontainers patch), and give a
 * DebugSession that execs into it (pods/exec). Never deletes or restarts anything.
 */
export async function attachDebugSession(
  client: KubeClient,
  pod: { namespace: string; name: string },
  wanted: DebugWanted,
  options: { signal: AbortSignal; log: (line: string) => void; timeoutMs?: number },
): Promise<AttachedSession> {
  const { namespace, name: podName } = pod;
  const current = await call(`get pod ${namespace}/${podName}`, client.core.readNamespacedPod({ name: podName, namespace }));
  let name = findReusableDebugContainer(current, wanted);
  let granted: V1EphemeralContainer;
  let reused: boolean;
  let count: number;
  if (name) {
    reused = true;
    granted = current.spec!.ephemeralContainers!.find((c) => c.name === name)!;
    count = ephemeralContainerCount(current);
    options.log(`pod ${namespace}/${podName}: reusing debug container ${name} (${wanted.image}, profile ${wanted.profile}); the pod carries ${count} ephemeral container(s)`);
  } else {
    reused = false;
    name = debugContainerName();
    const spec = debugContainerSpec({ name, image: wanted.image, imagePullPolicy: wanted.imagePullPolicy, target: wanted.target, profile: wanted.profile });
    granted = await addDebugContainer(client, namespace, podName, spec, { timeoutMs: options.timeoutMs ?? 120_000, signal: options.signal });
    const after = await call(`get pod ${namespace}/${podName}`, client.core.readNamespacedPod({ name: podName, namespace }));
    count = ephemeralContainerCount(after);
    options.log(
      `pod ${namespace}/${podName}: added debug container ${name} (${wanted.image}, profile ${wanted.profile}); the pod now carries ${count} ephemeral container(s), which stay until the pod is replaced`,
    );
  }
  const target: ExecTarget = { namespace, pod: podName, container: name };
  const scratchDir = '/tmp/holistic';
  await kubeExec(client, target, ['mkdir', '-p', scratchDir], { timeoutMs: 30_000, signal: options.signal });
  const session = ephemeralSession(client, target, granted, scratchDir, {
    pod: `${namespace}/${podName}`,
    'debug container': `${name} (${reused ? 'reused: added by an earlier run' : 'added by this run'})`,
    'ephemeral containers on the pod': `${count} (ephemeral containers cannot be removed: they stay until the pod is replaced)`,
  });
  return { session, reused, name, ephemeralContainers: count };
}
