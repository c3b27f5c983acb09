/**
 * The run's namespace: a fresh `holistic-<id>` by default (everything in it is ours, deleting it removes it all),
 * or an existing one where only our own objects (labelled holistic.run=<id>) are deleted.
 */
import type { V1Namespace } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { ownerLabel, ownerText, runLabel, sanitizeLabel } from '../../owner.js';
import { call, statusCode, type KubeClient } from './client.js';

/** The labels every object of a run carries: its run id and its owner (host, pid, start time: owner.ts). */
export function runLabels(runId: string): Record<string, string> {
  return { [runLabel]: sanitizeLabel(runId), [ownerLabel]: ownerText() };
}

export async function createRunNamespace(client: KubeClient, name: string, runId: string): Promise<void> {
  await call(`create namespace ${name}`, client.core.createNamespace({ body: { metadata: { name, labels: runLabels(runId) } } }));
}

/**
 * Pods need the namespace's `default` ServiceAccount (the admission plugin rejects them without it). A cluster's
 * controller-manager creates it within a second or two; a cluster without one (this repository's test cluster)
 * never does, so after a short wait we create it ourselves.
 */
export async function ensureDefaultServiceAccount(client: KubeClient, namespace: string, waitMs = 3000): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await call(`read serviceaccount ${namespace}/default`, client.core.readNamespacedServiceAccount({ name: 'default', namespace }));
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (Date.now() > deadline) break;
    await sleep(300);
  }
  try {
    await call(`create serviceaccount ${namespace}/default`, client.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } }));
  } catch (error) {
    if (statusCode(error) !== 409) throw error; // created meanwhile
  }
}

/**
 * Delete the namespace and wait until it is gone. Namespace deletion is finished by the namespace controller;
 * on a cluster without one it would stay Terminating forever, so once every pod in it is gone we clear its
 * finalizers ourselves (nothing of ours is left to clean up by then).
 */
export async function deleteRunNamespace(client: KubeClient, name: string, timeoutMs = 60_000): Promise<void> {
  try {
    await call(`delete namespace ${name}`, client.core.deleteNamespace({ name }));
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  const deadline = Date.now() + timeoutMs;
  let finalized = false;
  while (Date.now() < deadline) {
    let ns: V1Namespace;
    try {
      ns = await call(`read namespace ${name}`, client.core.readNamespace({ name }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const pods = await call(`list pods in ${name}`, client.core.listNamespacedPod({ namespace: name }));
    // A namespace controller usually finishes within a second or two; give it that chance first.
    if (!finalized && pods.items.length === 0 && Date.now() > deadline - timeoutMs + 2000 && ns.spec?.finalizers?.length) {
      await call(`finalize namespace ${name}`, client.core.replaceNamespaceFinalize({ name, body: { ...ns, spec: { finalizers: [] } } }));
      finalized = true;
    }
    await sleep(500);
  }
  throw new Error(`namespace ${name} was still there ${timeoutMs / 1000} s after it was deleted`);
}

export function isNotFound(error: unknown): boolean {
  return statusCode(error) === 404;
}
