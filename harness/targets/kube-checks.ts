/** What the kube target needs (`holistic doctor --target kube`): a kubeconfig, a reachable cluster, the images on its nodes. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { probeCommand } from '../exec.js';
import { defaultAppImage, defaultToolsImage } from './images.js';
import { connect, serverVersion } from './kube/client.js';
import type { Check } from './types.js';

export async function kubeChecks(options: { kubeconfig?: string; context?: string }): Promise<Check[]> {
  const kubectl = await probeCommand('kubectl', ['version', '--client']);
  const checks: Check[] = [
    {
      name: 'kubectl',
      ok: Boolean(kubectl),
      detail: kubectl ?? 'not on PATH',
      fix: 'install kubectl: only the report\'s "by hand" commands need it (the harness talks to the API itself)',
      required: false,
    },
  ];
  // Without any kubeconfig client-node falls back to http://localhost:8080: say what is really missing.
  const defaultConfig = path.join(process.env.HOME ?? '/root', '.kube', 'config');
  if (!options.kubeconfig && !process.env.KUBECONFIG && !existsSync(defaultConfig) && !process.env.KUBERNETES_SERVICE_HOST) {
    checks.push({
      name: 'kubeconfig',
      ok: false,
      detail: `none: no --kubeconfig, no KUBECONFIG, no ${defaultConfig}`,
      fix: 'set KUBECONFIG or pass --kubeconfig/--context (in this repository: hack/local-cluster/up prints one)',
    });
    return checks;
  }
  let client: ReturnType<typeof connect>;
  try {
    client = connect({ kubeconfig: options.kubeconfig, context: options.context });
    checks.push({ name: 'kubeconfig', ok: true, detail: `context ${client.context} → ${client.server}` });
  } catch (error) {
    checks.push({
      name: 'kubeconfig',
      ok: false,
      detail: (error as Error).message.split('\n')[0]!,
      fix: 'set KUBECONFIG or pass --kubeconfig/--context (in this repository: hack/local-cluster/up prints one)',
    });
    return checks;
  }
  try {
    const version = await serverVersion(client);
    checks.push({ name: 'cluster reachable', ok: true, detail: `Kubernetes ${version}` });
  } catch (error) {
    checks.push({ name: 'cluster reachable', ok: false, detail: (error as Error).message.split('\n')[0]!, fix: 'start the cluster (kind create cluster; here: hack/local-cluster/up) or fix the context' });
    return checks;
  }
  try {
    const nodes = await client.core.listNode();
    const onNodes = new Set(nodes.items.flatMap((n) => (n.status?.images ?? []).flatMap((i) => i.names ?? [])));
    for (const image of [defaultAppImage, defaultToolsImage]) {
      const present = onNodes.has(image) || onNodes.has(image.replace(/^localhost\//, 'docker.io/'));
      checks.push({
        name: `image ${image} on the nodes`,
        ok: present,
        detail: present ? `on ${nodes.items.length} node(s)` : `not reported by any of ${nodes.items.length} node(s)`,
        fix: 'load it into the cluster (make -C app load; kind load docker-image; the kind target loads it itself)',
        // Nodes list only some images in their status; a run fails clearly if one is really missing.
        required: false,
      });
    }
  } catch (error) {
    checks.push({ name: 'list nodes', ok: false, detail: (error as Error).message.split('\n')[0]!, fix: 'the kubeconfig user needs get/list on nodes (cluster-admin in a test cluster)', required: false });
  }
  return checks;
}
