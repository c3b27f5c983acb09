/**
 * What a run left behind, read from the machine and the cluster: by tests (through helpers.ts) and by the
 * kills benchmark, which runs outside vitest (so nothing here may touch vitest).
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
import { runLabel, sanitizeLabel } from '../harness/owner.js';
import { detectEngine } from '../harness/targets/engine.js';

export type E2eTarget = 'local' | 'container' | 'kube';

/**
 * What a run left on its target: containers labelled with its run id (container), namespaces and pods labelled
 * with it, and the ConfigMaps of in-cluster load (kube, through `kubeconfig`). The local target's processes are checked with isAlive / appProcesses.
 */
export async function leftovers(target: E2eTarget, runId: string, kubeconfig = process.env.HOLISTIC_KUBECONFIG): Promise<string[]> {
  if (target === 'container') {
    const engine = await detectEngine();
    const r = await engine.run(['ps', '--all', '--filter', `label=${runLabel}=${runId}`, '--format', '{{.Names}}']);
    return r.stdout.split('\n').filter(Boolean);
  }
  if (target === 'kube') {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig!);
    const api = kc.makeApiClient(CoreV1Api);
    const selector = `holistic.run=${sanitizeLabel(runId)}`;
    const ns = await api.listNamespace({ labelSelector: selector });
    const pods = await api.listPodForAllNamespaces({ labelSelector: selector });
    const maps = await api.listConfigMapForAllNamespaces({ labelSelector: selector });
    return [...ns.items.map((n) => `namespace/${n.metadata!.name}`), ...pods.items.map((p) => `pod/${p.metadata!.name}`), ...maps.items.map((m) => `configmap/${m.metadata!.name}`)];
  }
  return [];
}


/** Processes on this machine started with `NAME=value` in their environment (readable ones), as "pid command". */
export async function processesWithEnv(name: string, value: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    if (Number(pid) === process.pid) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (!environ.split('\0').includes(`${name}=${value}`)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    found.push(`${pid} ${cmdline.split('\0').join(' ').trim()}`);
  }
  return found;
}

/** iptables rules naming a port (what podman's port publishing adds; none must be left after a run). */
export async function natRulesFor(port: number | string): Promise<string[]> {
  const rules = String((await execa('iptables-save', [], { reject: false })).stdout).split('\n');
  return rules.filter((l) => l.includes(`--dport ${port} `) || l.includes(`:${port} `) || l.endsWith(`:${port}`));
}

