/** What the kind target needs (`holistic doctor --target kind`): kind (or k3d), and what the container target needs. */
import { probeCommand } from '../exec.js';
import { engineChecks } from './container-checks.js';
import type { Engine } from './engine.js';
import type { Check } from './types.js';

export async function kindChecks(engine: Engine | Error): Promise<Check[]> {
  const kind = await probeCommand('kind', ['version']);
  const k3d = await probeCommand('k3d', ['version']);
  return [
    {
      name: 'kind or k3d',
      ok: Boolean(kind ?? k3d),
      detail: [kind, k3d].filter(Boolean).join('; ') || 'neither is on PATH',
      fix: 'install kind (go install sigs.k8s.io/kind@latest) or k3d; kind needs docker or podman and its node image',
    },
    ...(await engineChecks(engine, { imagesRequired: true })),
  ];
}
