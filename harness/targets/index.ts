/** Picks the target: by name, or `auto` as DESIGN.md says (kind, else a container engine, else local). */
import { UsageError } from '../errors.js';
import { ContainerTarget } from './container.js';
import { detectEngine } from './engine.js';
import { run } from '../exec.js';
import { KindTarget, type KindTargetOptions } from './kind.js';
import { KubeTarget } from './kube.js';
import { LocalTarget } from './local.js';
import { checkPortOption } from './ports.js';
import { targetKinds, type Target, type TargetKind } from './types.js';

export interface TargetOptions extends Omit<KindTargetOptions, 'toolsImage' | 'engine'> {
  /** Container engine: podman, docker or auto. */
  engine?: string;
  /** Image of the debug container (container and Kubernetes targets). */
  toolsImage?: string;
}

export interface ResolvedTarget {
  target: Target;
  /** Why this one, for `--target auto`. */
  reason: string;
}

export async function resolveTarget(choice: string, options: TargetOptions = {}): Promise<ResolvedTarget> {
  if (choice !== 'auto' && !(targetKinds as readonly string[]).includes(choice)) {
    throw new UsageError(`unknown target ${JSON.stringify(choice)}: use one of auto, ${targetKinds.join(', ')}`);
  }
  checkPortOption(options.port);
  if (choice === 'auto') {
    const engine = await detectEngine(options.engine).catch(() => undefined);
    const kind = await run('kind', ['version'], { timeoutMs: 10_000, reject: false }).then((r) => r.exitCode === 0, () => false);
    if (kind && engine?.name === 'docker') {
      return { target: new KindTarget(options), reason: `auto picked kind (kind and ${engine.version} work)` };
    }
    if (engine) {
      return { target: new ContainerTarget(options), reason: `auto picked container (${engine.version} works${kind ? '' : '; no kind'})` };
    }
    return { target: new LocalTarget({ port: options.port }), reason: 'auto picked local (no working podman or docker)' };
  }
  switch (choice as TargetKind) {
    case 'local':
      return { target: new LocalTarget({ port: options.port }), reason: 'local (asked for)' };
    case 'container':
      return { target: new ContainerTarget(options), reason: 'container (asked for)' };
    case 'kube':
      return { target: new KubeTarget(options), reason: 'kube (asked for)' };
    case 'kind':
      return { target: new KindTarget(options), reason: 'kind (asked for)' };
  }
}
