/**
 * A container engine, podman or docker, behind one small runner: kind's providers taught that the two differ in
 * a handful of places, so there is one engine type with a name and the differences are branches here.
 * podman always runs with the project's own containers.conf (hack/containers.conf): these machines need runc,
 * cgroupfs and lower ulimits, and the machine's own configuration is neither needed nor changed.
 */
import path from 'node:path';
import { PrerequisiteError, UsageError } from '../errors.js';
import { run, type RunOptions, type RunResult } from '../exec.js';
import { projectRoot } from '../paths.js';

export type EngineName = 'podman' | 'docker';

export interface Engine {
  name: EngineName;
  version: string;
  /** Run `<engine> args…`; throws CommandError on failure unless `reject: false`. */
  run(args: readonly string[], options?: Partial<RunOptions>): Promise<RunResult>;
}

export const projectContainersConf = path.join(projectRoot, 'hack', 'containers.conf');

export function engineEnv(name: EngineName): Record<string, string> {
  return name === 'podman' ? { CONTAINERS_CONF: process.env.HOLISTIC_CONTAINERS_CONF ?? projectContainersConf } : {};
}

function makeEngine(name: EngineName, version: string): Engine {
  const env = engineEnv(name);
  return {
    name,
    version,
    run: (args, options = {}) => run(name, args, { timeoutMs: 120_000, ...options, env: { ...env, ...options.env } }),
  };
}

async function probe(name: EngineName): Promise<Engine | undefined> {
  try {
    // `info` needs a working engine (docker: a reachable daemon), not just a client on PATH.
    const r = await run(name, ['info', '--format', '{{json .}}'], { timeoutMs: 30_000, reject: false, env: engineEnv(name) });
    if (r.exitCode !== 0) return undefined;
    const v = await run(name, ['--version'], { timeoutMs: 10_000, reject: false, env: engineEnv(name) });
    return makeEngine(name, v.stdout.trim());
  } catch {
    return undefined;
  }
}

/** `auto`: podman first (rootful podman is what these machines run), then docker. */
export async function detectEngine(choice: string = process.env.HOLISTIC_ENGINE ?? 'auto'): Promise<Engine> {
  if (!['auto', 'podman', 'docker'].includes(choice)) {
    throw new UsageError(`unknown container engine ${JSON.stringify(choice)}: use podman, docker or auto`);
  }
  const order: EngineName[] = choice === 'auto' ? ['podman', 'docker'] : [choice as EngineName];
  for (const name of order) {
    const engine = await probe(name);
    if (engine) return engine;
  }
  throw new PrerequisiteError(
    `no working container engine (${order.join(' or ')}) was found: ` +
      (choice === 'docker'
        ? 'install docker (Debian: apt-get install docker.io) and start its daemon'
        : 'install podman (Debian/Ubuntu: apt-get install podman runc), or docker with a running daemon'),
  );
}
