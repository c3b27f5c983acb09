/**
 * What killed runs left behind, found by its owner and removed. Every resource a run creates carries the run's
 * id and its owner (owner.ts): local processes in their environment, scratch folders in a marker file,
 * containers in labels, Kubernetes namespaces, pods and ConfigMaps in labels. A run that was SIGKILLed, force-quit, OOM
 * killed or lost with its machine cannot clean up; the next run (on its own target), `holistic doctor` and
 * `holistic down` find every resource whose owner is no longer running on this host, remove it, and say what
 * they removed. Resources of a live run, or of another host's run, are left alone.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killTreeSync, run } from './exec.js';
import { ownerAlive, ownerEnv, ownerLabel, parseOwner, runEnv, runLabel, type Owner } from './owner.js';
import { projectRoot } from './paths.js';

export interface LeftoverScope {
  /** Only what this target could have left (a run cleans its own target's domain); all when unset. */
  target?: string;
  engine?: string;
  kubeconfig?: string;
  context?: string;
}

/** Find and remove; returns one line per removed resource (also sent to `log`). Never throws. */
export async function removeLeftovers(scope: LeftoverScope, log: (line: string) => void): Promise<string[]> {
  const removed: string[] = [];
  const say = (line: string) => {
    removed.push(line);
    log(`removed what a killed run left: ${line}`);
  };
  const wants = (...targets: string[]) => !scope.target || targets.includes(scope.target);
  const steps: [string, () => Promise<void>][] = [
    ['local processes', () => localProcesses(say)],
    ['scratch folders', () => scratchFolders(say)],
  ];
  if (wants('container', 'kind')) steps.push(['containers', () => containers(scope.engine, say)]);
  if (wants('kube', 'kind') && (scope.kubeconfig || process.env.KUBECONFIG || existsSync(path.join(os.homedir(), '.kube', 'config')))) {
    steps.push(['Kubernetes objects', () => kubeObjects(scope, say)]);
  }
  for (const [what, step] of steps) {
    await step().catch((error: Error) => log(`could not look for leftover ${what}: ${error.message.split('\n')[0]}`));
  }
  return removed;
}

/** The owner is dead on this host: its resources are leftovers. */
function abandoned(owner: Owner | undefined): owner is Owner {
  return owner !== undefined && ownerAlive(owner) === false;
}

async function localProcesses(say: (line: string) => void): Promise<void> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    const vars = new Map(environ.split('\0').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
    const owner = parseOwner(vars.get(ownerEnv));
    if (!abandoned(owner)) continue;
    const cmd = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ').trim().slice(0, 120);
    if (!existsSync(`/proc/${entry}`)) continue; // killed with its parent meanwhile
    killTreeSync(Number(entry));
    say(`process ${entry} (${cmd}) of run ${vars.get(runEnv) ?? '?'}`);
  }
}

async function scratchFolders(say: (line: string) => void): Promise<void> {
  const tmp = os.tmpdir();
  for (const name of await readdir(tmp)) {
    if (!name.startsWith('holistic-')) continue;
    const marker = await readFile(path.join(tmp, name, '.holistic-owner'), 'utf8').catch(() => undefined);
    if (!marker) continue;
    const [ownerText, runId] = marker.trim().split(' ');
    if (!abandoned(parseOwner(ownerText))) continue;
    await rm(path.join(tmp, name), { recursive: true, force: true });
    say(`scratch folder ${path.join(tmp, name)} of run ${runId ?? '?'}`);
  }
}

async function containers(engineChoice: string | undefined, say: (line: string) => void): Promise<void> {
  const { detectEngine } = await import('./targets/engine.js');
  const choice = engineChoice ?? process.env.HOLISTIC_ENGINE ?? 'auto';
  const names = choice === 'auto' ? ['podman', 'docker'] : [choice];
  for (const name of names) {
    const engine = await detectEngine(name).catch(() => undefined);
    if (!engine) continue;
    const listed = await engine.run(['ps', '--all', '--filter', `label=${ownerLabel}`, '--format', `{{.Names}}\t{{index .Labels "${ownerLabel}"}}\t{{index .Labels "${runLabel}"}}`], { reject: false, timeoutMs: 30_000 });
    const found = listed.stdout.split('\n').filter(Boolean).map((line) => line.split('\t'));
    let pending = found.filter(([container, owner]) => container && abandoned(parseOwner(owner)));
    const any = pending.length > 0;
    // A debug container joined its app's PID namespace: the engine removes the app only after it. Retry the
    // ones refused until a pass removes nothing more.
    for (let pass = 0; pending.length > 0 && pass < 3; pass++) {
      const refused: typeof pending = [];
      for (const [container, , runId] of pending) {
        const r = await engine.run(['rm', '--force', '--time', '0', container!], { reject: false, timeoutMs: 60_000 });
        if (r.exitCode === 0) say(`${engine.name} container ${container} of run ${runId ?? '?'}`);
        else refused.push([container!, '', runId ?? '']);
      }
      pending = refused;
    }
    // Rootful podman's iptables chains: a podman client killed mid-setup (a run SIGKILLed while deploying) leaves
    // even a network's own chains behind; with no podman container left at all, they are stale (--stale).
    const clean = path.join(projectRoot, 'hack', 'images', 'netavark-clean');
    if (engine.name === 'podman' && process.getuid?.() === 0 && existsSync(clean)) {
      const r = await run(clean, ['--stale'], { timeoutMs: 30_000, reject: false });
      if (/removed stale chain/.test(r.stdout)) say(`podman's stale iptables chains${any ? '' : ' (no container of ours was left)'}`);
    }
  }
}

async function kubeObjects(scope: LeftoverScope, say: (line: string) => void): Promise<void> {
  const { connect, call } = await import('./targets/kube/client.js');
  const { deleteRunNamespace } = await import('./targets/kube/namespace.js');
  const client = connect({ kubeconfig: scope.kubeconfig, context: scope.context });
  const namespaces = await call('list namespaces of holistic runs', client.core.listNamespace({ labelSelector: ownerLabel, timeoutSeconds: 10 }));
  for (const ns of namespaces.items) {
    const labels = ns.metadata?.labels ?? {};
    // A Terminating one too (a run force-quit while deleting it): wait until it is gone, finishing it on a
    // cluster without a namespace controller (deleteRunNamespace does both).
    if (!abandoned(parseOwner(labels[ownerLabel]))) continue;
    await deleteRunNamespace(client, ns.metadata!.name!);
    say(`namespace ${ns.metadata!.name} of run ${labels[runLabel] ?? '?'}`);
  }
  // Pods a run made in a user's own namespace (--namespace): only those, never the namespace.
  const pods = await call('list pods of holistic runs', client.core.listPodForAllNamespaces({ labelSelector: ownerLabel, timeoutSeconds: 10 }));
  for (const pod of pods.items) {
    const labels = pod.metadata?.labels ?? {};
    const namespace = pod.metadata!.namespace!;
    if (!abandoned(parseOwner(labels[ownerLabel])) || namespaces.items.some((n) => n.metadata?.name === namespace)) continue;
    await call(`delete pod ${namespace}/${pod.metadata!.name}`, client.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace, gracePeriodSeconds: 0 })).catch(() => undefined);
    say(`pod ${namespace}/${pod.metadata!.name} of run ${labels[runLabel] ?? '?'}`);
  }
  // The locustfiles of in-cluster load (load/locust/pods.ts), the same way.
  // Not listable without that permission (a Role that never ran in-cluster load): nothing of ours to find then.
  const maps = await call('list configmaps of holistic runs', client.core.listConfigMapForAllNamespaces({ labelSelector: ownerLabel, timeoutSeconds: 10 })).catch(() => ({ items: [] as V1ConfigMap[] }));
  for (const map of maps.items) {
    const labels = map.metadata?.labels ?? {};
    const namespace = map.metadata!.namespace!;
    if (!abandoned(parseOwner(labels[ownerLabel])) || namespaces.items.some((n) => n.metadata?.name === namespace)) continue;
    await call(`delete configmap ${namespace}/${map.metadata!.name}`, client.core.deleteNamespacedConfigMap({ name: map.metadata!.name!, namespace })).catch(() => undefined);
    say(`configmap ${namespace}/${map.metadata!.name} of run ${labels[runLabel] ?? '?'}`);
  }
}
