/**
 * An existing workload: the pods a user names with --pod NAME, --selector K=V[,K2=V2], or --deployment NAME
 * (and --container NAME in multi-container pods), in any namespace. Nothing here creates, changes or restarts
 * anything of the app: it lists and reads pods (get/list pods, get deployments) and records what the pods are
 * (UIDs, restart counts) so a run can show they are the same pods afterwards.
 */
import { AppsV1Api, type V1LabelSelector, type V1Pod } from '@kubernetes/client-node';
import { PrerequisiteError, UsageError } from '../../errors.js';
import { call, type KubeClient } from './client.js';
import { isNotFound } from './namespace.js';

export interface WorkloadSelector {
  namespace: string;
  pod?: string;
  /** `k=v,k2=v2` (any label selector the API accepts). */
  selector?: string;
  deployment?: string;
  /** The app's container in a multi-container pod (default: the only one, or kubectl's default-container annotation). */
  container?: string;
}

export interface WorkloadPod {
  namespace: string;
  name: string;
  uid: string;
  /** The app's container in it (what the debug container targets). */
  container: string;
  node: string;
  podIP: string | undefined;
  /** The app container's restart count when it was found. */
  restarts: number;
  /** The container's port to load through a port-forward, when the pod declares one. */
  port: number | undefined;
  /** The pod as read (ephemeral containers included). */
  raw: V1Pod;
}

/** What a workload's pods are: compared before and after a run (same UIDs, no restarts). */
export interface PodIdentity {
  name: string;
  uid: string;
  restarts: number;
}

/** Exactly one of --pod, --selector, --deployment: the usage error names what was given. */
export function checkWorkloadSelector(s: Omit<WorkloadSelector, 'namespace'>): void {
  const given = (['pod', 'selector', 'deployment'] as const).filter((k) => s[k] !== undefined && s[k] !== '');
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0
        ? 'name the workload to profile: --pod NAME, --selector KEY=VALUE or --deployment NAME'
        : `--${given.join(' and --')} were both given: name the workload one way only`,
    );
  }
  if (s.selector !== undefined && !/^[A-Za-z0-9_./-]+\s*(=|==|!=)\s*[A-Za-z0-9_.-]*(\s*,\s*[A-Za-z0-9_./-]+\s*(=|==|!=)\s*[A-Za-z0-9_.-]*)*$/.test(s.selector)) {
    throw new UsageError(`--selector expects KEY=VALUE[,KEY=VALUE…], got ${JSON.stringify(s.selector)}`);
  }
}

/** A Deployment's spec.selector as a label-selector string (matchLabels and matchExpressions). */
export function labelSelectorString(selector: V1LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    switch (e.operator) {
      case 'In': parts.push(`${e.key} in (${values})`); break;
      case 'NotIn': parts.push(`${e.key} notin (${values})`); break;
      case 'Exists': parts.push(e.key); break;
      case 'DoesNotExist': parts.push(`!${e.key}`); break;
    }
  }
  return parts.join(',');
}

/** The app container of a pod: --container, else the only container, else kubectl's default-container annotation. */
export function appContainerOf(pod: V1Pod, wanted?: string): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const where = `pod ${pod.metadata?.namespace}/${pod.metadata?.name}`;
  if (wanted) {
    if (!names.includes(wanted)) throw new UsageError(`${where} has no container ${JSON.stringify(wanted)} (--container); its containers: ${names.join(', ')}`);
    return wanted;
  }
  if (names.length === 1) return names[0]!;
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && names.includes(annotated)) return annotated;
  throw new UsageError(`${where} has ${names.length} containers (${names.join(', ')}): name the app's with --container NAME`);
}

function running(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;
}

function toWorkloadPod(pod: V1Pod, container: string): WorkloadPod {
  const spec = pod.spec?.containers.find((c) => c.name === container);
  const status = pod.status?.containerStatuses?.find((c) => c.name === container);
  return {
    namespace: pod.metadata!.namespace!,
    name: pod.metadata!.name!,
    uid: pod.metadata!.uid!,
    container,
    node: pod.spec?.nodeName ?? '',
    podIP: pod.status?.podIP,
    restarts: status?.restartCount ?? 0,
    port: spec?.ports?.find((p) => (p.protocol ?? 'TCP') === 'TCP')?.containerPort,
    raw: pod,
  };
}

/**
 * The running pods of the workload, sorted by name. A named pod that is not running, or a selector/Deployment
 * that matches no running pod, is a PrerequisiteError (exit 3) that says what was found instead.
 */
export async function findWorkloadPods(client: KubeClient, s: WorkloadSelector): Promise<WorkloadPod[]> {
  checkWorkloadSelector(s);
  const ns = s.namespace;
  if (s.pod) {
    let pod: V1Pod;
    try {
      pod = await call(`get pod ${ns}/${s.pod}`, client.core.readNamespacedPod({ name: s.pod, namespace: ns }));
    } catch (error) {
      if (isNotFound(error)) throw new PrerequisiteError(`pod ${ns}/${s.pod} does not exist (--pod; namespace ${ns}: --namespace to choose another)`);
      throw error;
    }
    if (!running(pod)) throw new PrerequisiteError(`pod ${ns}/${s.pod} is not running (phase ${pod.status?.phase ?? '?'}${pod.metadata?.deletionTimestamp ? ', being deleted' : ''}): nothing to attach to`);
    return [toWorkloadPod(pod, appContainerOf(pod, s.container))];
  }
  let selector = s.selector ?? '';
  let what = `--selector ${selector}`;
  if (s.deployment) {
    const apps = client.config.makeApiClient(AppsV1Api);
    let deployment;
    try {
      deployment = await call(`get deployment ${ns}/${s.deployment}`, apps.readNamespacedDeployment({ name: s.deployment, namespace: ns }));
    } catch (error) {
      if (isNotFound(error)) throw new PrerequisiteError(`deployment ${ns}/${s.deployment} does not exist (--deployment; namespace ${ns}: --namespace to choose another)`);
      throw error;
    }
    selector = labelSelectorString(deployment.spec?.selector);
    what = `deployment ${s.deployment} (selector ${selector})`;
  }
  const list = await call(`list pods in ${ns} (${what})`, client.core.listNamespacedPod({ namespace: ns, labelSelector: selector }));
  const pods = list.items.filter(running).sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  if (pods.length === 0) {
    const others = list.items.map((p) => `${p.metadata?.name} (${p.status?.phase}${p.metadata?.deletionTimestamp ? ', terminating' : ''})`);
    throw new PrerequisiteError(`no running pod in ${ns} matches ${what}${others.length ? `; found: ${others.join(', ')}` : ''}`);
  }
  return pods.map((pod) => toWorkloadPod(pod, appContainerOf(pod, s.container)));
}

/** UIDs and restart counts now, read from the API (a pod that is gone has no entry). */
export async function podIdentities(client: KubeClient, pods: readonly Pick<WorkloadPod, 'namespace' | 'name' | 'container'>[]): Promise<PodIdentity[]> {
  const out: PodIdentity[] = [];
  for (const p of pods) {
    try {
      const pod = await call(`get pod ${p.namespace}/${p.name}`, client.core.readNamespacedPod({ name: p.name, namespace: p.namespace }));
      out.push({ name: p.name, uid: pod.metadata!.uid!, restarts: pod.status?.containerStatuses?.find((c) => c.name === p.container)?.restartCount ?? 0 });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return out;
}

/** What changed between two identity lists: the words a report and a verdict use ('' when nothing did). */
export function podChanges(before: readonly PodIdentity[], after: readonly PodIdentity[]): string[] {
  const changes: string[] = [];
  for (const b of before) {
    const a = after.find((x) => x.name === b.name);
    if (!a) changes.push(`pod ${b.name} is gone`);
    else if (a.uid !== b.uid) changes.push(`pod ${b.name} was replaced (uid ${b.uid} -> ${a.uid})`);
    else if (a.restarts !== b.restarts) changes.push(`pod ${b.name} restarted ${a.restarts - b.restarts} time(s) during the run`);
  }
  return changes;
}
