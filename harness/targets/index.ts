/** Picks the target: by name, or `auto` as DESIGN.md says (kind, else a container engine, else local). */
import { PrerequisiteError, UsageError } from '../errors.js';
import { ContainerTarget } from './container.js';
import { detectEngine } from './engine.js';
import { KubeTarget, type KubeTargetOptions } from './kube.js';
import { LocalTarget } from './local.js';
import { targetKinds, type Target, type TargetKind } from './types.js';

export interface TargetOptions extends Omit<KubeTargetOptions, 'toolsImage'> {
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
  if (choice === 'auto') {
    // kind would come first (docker + kind usable) once the Kubernetes targets exist.
    const engine = await detectEngine(options.engine).catch(() => undefined);
    if (engine) {
      return { target: new ContainerTarget(options), reason: `auto picked container (${engine.version} works; kind target not built yet)` };
    }
    return { target: new LocalTarget(), reason: 'auto picked local (no working podman or docker; kind target not built yet)' };
  }
  switch (choice as TargetKind) {
    case 'local':
      return { target: new LocalTarget(), reason: 'local (asked for)' };
    case 'container':
      return { target: new ContainerTarget(options), reason: 'container (asked for)' };
    case 'kube':
      return { target: new KubeTarget(options), reason: 'kube (asked for)' };
    default:
      throw new PrerequisiteError(`the ${choice} target is not available in this version of holistic yet: use --target container or local`);
  }
}
