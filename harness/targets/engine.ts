/**
 * A container engine, podman or docker, behind one small runner: kind's providers taught that the two differ in
 * a handful of places, so there is one engine type with a name and the differences are branches here.
 * podman always runs with the project's own containers.conf (hack/containers.conf): these machines need runc,
 * cgroupfs and lower ulimits, and the machine's own configuration is neither needed nor changed.
 *
 * Which engine: `--engine podman|docker` (or HOLISTIC_ENGINE when the option is `auto` or absent). `auto` probes
 * both and picks, in this order (pickEngine, pure):
 *   1. for kind: the engine kind itself uses (KIND_EXPERIMENTAL_PROVIDER, else docker when it answers, else
 *      podman), since `kind load docker-image` reads that engine's images;
 *   2. the engine that holds every image the run needs (podman first when both do);
 *   3. the one holding more of them; podman first on a tie (hack/images/build makes them with podman).
 * The picked engine says why (Engine.reason), and the run log shows it.
 * The docker client is HOLISTIC_DOCKER (default `docker` on PATH; a machine may have an unrelated client there).
 */
import path from 'node:path';
import { PrerequisiteError, UsageError } from '../errors.js';
import { run, type RunOptions, type RunResult } from '../exec.js';
import { projectRoot } from '../paths.js';

export type EngineName = 'podman' | 'docker';
export const engineNames: readonly EngineName[] = ['podman', 'docker'];

export interface Engine {
  name: EngineName;
  version: string;
  /** Why this engine was chosen, for the run log ("asked for with --engine", "it holds …"). */
  reason: string;
  /** Run `<engine> args…`; throws CommandError on failure unless `reject: false`. */
  run(args: readonly string[], options?: Partial<RunOptions>): Promise<RunResult>;
}

export interface DetectOptions {
  /** Images the run needs from the engine: `auto` prefers the engine that holds them. */
  images?: readonly string[];
  /** The engine feeds a kind cluster: `auto` picks the engine kind uses. */
  forKind?: boolean;
  env?: NodeJS.ProcessEnv;
}

export const projectContainersConf = path.join(projectRoot, 'hack', 'containers.conf');

/** The command that runs an engine: podman, or HOLISTIC_DOCKER (default docker). */
export function engineCommand(name: EngineName, env: NodeJS.ProcessEnv = process.env): string {
  return name === 'docker' ? env.HOLISTIC_DOCKER || 'docker' : 'podman';
}

export function engineEnv(name: EngineName, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return name === 'podman' ? { CONTAINERS_CONF: env.HOLISTIC_CONTAINERS_CONF ?? projectContainersConf } : {};
}

function makeEngine(name: EngineName, version: string, reason: string, env: NodeJS.ProcessEnv): Engine {
  const extra = engineEnv(name, env);
  const command = engineCommand(name, env);
  return {
    name,
    version,
    reason,
    run: (args, options = {}) => run(command, args, { timeoutMs: 120_000, ...options, env: { ...extra, ...options.env } }),
  };
}

/** The choice in force: an explicit podman/docker wins; `auto` or nothing defers to HOLISTIC_ENGINE. */
export function engineChoice(choice: string | undefined, env: NodeJS.ProcessEnv = process.env): { choice: string; from: string } {
  if (choice && choice !== 'auto') return { choice, from: '--engine' };
  if (env.HOLISTIC_ENGINE) return { choice: env.HOLISTIC_ENGINE, from: 'HOLISTIC_ENGINE' };
  return { choice: 'auto', from: 'default' };
}

/** What a probe saw of one engine. */
export interface EngineProbe {
  name: EngineName;
  works: boolean;
  version?: string;
  /** For each image asked about: does this engine hold it. */
  holds?: Record<string, boolean>;
}

/** The `auto` decision, pure: which engine and why (see the module comment for the order). */
export function pickEngine(
  probes: readonly EngineProbe[],
  options: { images?: readonly string[]; forKind?: boolean; kindProvider?: string } = {},
): { name: EngineName; reason: string } | undefined {
  const working = engineNames.map((n) => probes.find((p) => p.name === n && p.works)).filter((p): p is EngineProbe => !!p);
  if (working.length === 0) return undefined;
  if (options.forKind) {
    const asked = options.kindProvider;
    if (asked === 'podman' || asked === 'docker') {
      const p = working.find((w) => w.name === asked);
      if (p) return { name: p.name, reason: `kind uses ${asked} (KIND_EXPERIMENTAL_PROVIDER)` };
    } else {
      const p = working.find((w) => w.name === 'docker') ?? working[0]!;
      return { name: p.name, reason: `kind uses ${p.name} (${p.name === 'docker' ? 'docker answers: kind prefers it' : 'no working docker'})` };
    }
  }
  const images = options.images ?? [];
  if (images.length === 0) return { name: working[0]!.name, reason: `${working[0]!.name} answers${working.length > 1 ? ' (podman first)' : ''}` };
  const held = (p: EngineProbe) => images.filter((i) => p.holds?.[i]).length;
  const full = working.filter((p) => held(p) === images.length);
  if (full.length > 0) {
    const others = working.filter((p) => !full.includes(p)).map((p) => p.name);
    return {
      name: full[0]!.name,
      reason: `${full[0]!.name} holds ${images.join(' and ')}` +
        (full.length > 1 ? ` (so does ${full[1]!.name}; podman first)` : others.length ? ` (${others.join(', ')} does not)` : ''),
    };
  }
  const best = [...working].sort((a, b) => held(b) - held(a))[0]!;
  return {
    name: best.name,
    reason: `no engine holds all of ${images.join(', ')}; ${best.name} holds ${held(best)} of them` +
      (held(best) === held(working[0]!) && best === working[0] ? ' (podman first: hack/images/build makes them with podman)' : ''),
  };
}

async function probe(name: EngineName, images: readonly string[], env: NodeJS.ProcessEnv): Promise<EngineProbe> {
  const command = engineCommand(name, env);
  const e = engineEnv(name, env);
  try {
    // `info` needs a working engine (docker: a reachable daemon), not just a client on PATH.
    const r = await run(command, ['info', '--format', '{{json .}}'], { timeoutMs: 30_000, reject: false, env: e });
    if (r.exitCode !== 0) return { name, works: false };
    const v = await run(command, ['--version'], { timeoutMs: 10_000, reject: false, env: e });
    const holds: Record<string, boolean> = {};
    for (const image of images) {
      const i = await run(command, ['image', 'inspect', '--format', '{{.Id}}', image], { timeoutMs: 30_000, reject: false, env: e });
      holds[image] = i.exitCode === 0;
    }
    return { name, works: true, version: v.stdout.trim(), holds };
  } catch {
    return { name, works: false };
  }
}

/**
 * The engine to use. `choice` is the --engine option (podman, docker, auto; absent = auto); `auto` defers to
 * HOLISTIC_ENGINE, then decides with pickEngine.
 */
export async function detectEngine(choice?: string, options: DetectOptions = {}): Promise<Engine> {
  const env = options.env ?? process.env;
  const { choice: chosen, from } = engineChoice(choice, env);
  if (!['auto', ...engineNames].includes(chosen)) {
    throw new UsageError(`unknown container engine ${JSON.stringify(chosen)} (from ${from}): use podman, docker or auto`);
  }
  if (chosen !== 'auto') {
    const p = await probe(chosen as EngineName, [], env);
    if (p.works) return makeEngine(p.name, p.version!, `asked for with ${from}`, env);
    throw new PrerequisiteError(
      `${chosen} (asked for with ${from}) does not work here: ` +
        (chosen === 'docker'
          ? `\`${engineCommand('docker', env)} info\` fails: install docker (Debian: apt-get install docker.io) and start its daemon (hack/docker/up), or set DOCKER_HOST`
          : 'install podman (Debian/Ubuntu: apt-get install podman runc)'),
    );
  }
  const images = options.images ?? [];
  const probes = await Promise.all(engineNames.map((n) => probe(n, images, env)));
  const pick = pickEngine(probes, { images, forKind: options.forKind, kindProvider: env.KIND_EXPERIMENTAL_PROVIDER });
  if (!pick) {
    throw new PrerequisiteError(
      'no working container engine (podman or docker) was found: install podman (Debian/Ubuntu: apt-get install podman runc), ' +
        'or docker with a running daemon (hack/docker/up)',
    );
  }
  const p = probes.find((x) => x.name === pick.name)!;
  return makeEngine(p.name, p.version!, `auto: ${pick.reason}`, env);
}
