/** Picks the target: by name, or `auto` as DESIGN.md says (kind, else a container engine, else local). */
import { PrerequisiteError, UsageError } from '../errors.js';
import { ContainerTarget } from './container.js';
import { LocalTarget } from './local.js';
import { targetKinds, type Target, type TargetKind } from './types.js';

export type TargetChoice = TargetKind | 'auto';

export interface ResolvedTarget {
  target: Target;
  /** Why this one, for `--target auto`. */
  reason: string;
}

export function resolveTarget(choice: string): ResolvedTarget {
  if (choice === 'auto') {
    // Only the local target exists so far; when the container and Kubernetes targets land, auto prefers
    // kind (docker + kind usable), then a container engine, then local.
    return { target: new LocalTarget(), reason: 'auto picked local (the container and Kubernetes targets are not built yet)' };
  }
  if (!(targetKinds as readonly string[]).includes(choice)) {
    throw new UsageError(`unknown target ${JSON.stringify(choice)}: use one of auto, ${targetKinds.join(', ')}`);
  }
  switch (choice as TargetKind) {
    case 'local':
      return { target: new LocalTarget(), reason: 'local (asked for)' };
    case 'container':
      return { target: new ContainerTarget(), reason: 'container (asked for)' };
    default:
      throw new PrerequisiteError(`the ${choice} target is not available in this version of holistic yet: use --target local`);
  }
}
