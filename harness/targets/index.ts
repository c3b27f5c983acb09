/**
 * The registry of targets: where an app can run. Each target's file exports its TargetDefinition (name,
 * prerequisites, capabilities, constructor); this list is the only place that names them. A new target is one
 * file plus one line here. Definitions load on demand, so a command that needs no cluster never loads the
 * Kubernetes client. `--target auto` asks them in the order of `autoPreference` (DESIGN.md: kind, a container
 * engine, local); kube is never picked by itself.
 */
import { UsageError } from '../errors.js';
import { checkPortOption } from './ports.js';
import type { Target, TargetDefinition, TargetOptions } from './types.js';

const registry: Record<string, () => Promise<TargetDefinition>> = {
  local: async () => (await import('./local.js')).localTarget,
  container: async () => (await import('./container.js')).containerTarget,
  kind: async () => (await import('./kind.js')).kindTarget,
  kube: async () => (await import('./kube.js')).kubeTarget,
};

/** Every target's name. */
export const targetNames: readonly string[] = Object.keys(registry);

/** A target's definition by name; an unknown name is a usage error listing the others. */
export async function targetDefinition(name: string): Promise<TargetDefinition> {
  const load = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!load) throw new UsageError(`unknown target ${JSON.stringify(name)}: use one of auto, ${targetNames.join(', ')}`);
  return load();
}

export interface ResolvedTarget {
  target: Target;
  definition: TargetDefinition;
  /** Why this one, for `--target auto`. */
  reason: string;
}

/** By name, or `auto`: the first target in the registry's order whose autoPick says it can run here. */
export async function resolveTarget(choice: string, options: TargetOptions): Promise<ResolvedTarget> {
  checkPortOption(options.port);
  if (choice !== 'auto') {
    const definition = await targetDefinition(choice);
    return { target: definition.create(options), definition, reason: `${choice} (asked for)` };
  }
  const definitions = await Promise.all(targetNames.map(targetDefinition));
  for (const definition of definitions.filter((d) => d.autoPick).sort((a, b) => (a.autoPreference ?? 99) - (b.autoPreference ?? 99))) {
    const why = await definition.autoPick!(options);
    if (why) return { target: definition.create(options), definition, reason: `auto picked ${why}` };
  }
  throw new UsageError('no target can run here'); // unreachable: local always can
}
