/**
 * The kind (and k3d) target: the Kubernetes target plus the cluster's lifecycle, as the tutorial does it by hand:
 * reuse the cluster named by KIND_CLUSTER (default `kind`) or create it from kind-config.yaml, make sure the
 * app and debug-tools images exist in the engine, load them into the cluster's node (`kind load docker-image`,
 * `k3d image import`), then run exactly like `--target kube` against the cluster's context. The cluster is kept
 * by default (the next run reuses it); `holistic down` deletes it.
 *
 * kind's node provider is the run's engine: every kind command gets KIND_EXPERIMENTAL_PROVIDER=<engine> (and
 * podman's CONTAINERS_CONF), so `--engine podman` makes the cluster in podman even where docker also answers.
 * `kind load docker-image` always reads docker's images (kind v0.33.0 runs `docker save` whatever the provider),
 * so on podman each image goes through an archive: `podman save` then `kind load image-archive`.
 *
 * planCluster() is pure: it says which commands a run will issue, so they are tested where kind cannot run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppSpec } from '../app.js';
import { PrerequisiteError } from '../errors.js';
import { run, tail } from '../exec.js';
import { projectRoot } from '../paths.js';
import { detectEngine, engineEnv, engineNames, type EngineName } from './engine.js';
import { ensureImage } from './images.js';
import { kindChecks } from './kind-checks.js';
import { KubeTarget, type KubeTargetOptions } from './kube.js';
import type { CrashedStart, Deployment, Target, TargetContext, TargetDefinition } from './types.js';

export type ClusterProvider = 'kind' | 'k3d';

export interface ClusterChoice {
  provider: ClusterProvider;
  name: string;
}

/** k3d when K3D_CLUSTER is set, else kind with KIND_CLUSTER (default `kind`), as app/Makefile decides. */
export function clusterFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterChoice {
  if (env.K3D_CLUSTER) return { provider: 'k3d', name: env.K3D_CLUSTER };
  return { provider: 'kind', name: env.KIND_CLUSTER || 'kind' };
}

export function contextOf(cluster: ClusterChoice): string {
  return `${cluster.provider}-${cluster.name}`;
}

export interface ClusterPlan {
  create?: string[];
  load: string[][];
  context: string;
  delete: string[];
  /** The environment every command of the plan runs with: kind's provider (and podman's configuration). */
  env: Record<string, string>;
}

export interface PlanOptions {
  /** The engine that holds the images and runs kind's node (kind's provider); absent = kind's own choice. */
  engine?: EngineName;
  /** KIND_NODE_IMAGE: a node image of your own (hack/kind/build makes one offline), else kind's default. */
  nodeImage?: string;
  /** Where podman writes each image's archive for `kind load image-archive` (the caller makes and removes it). */
  archiveDir?: string;
}

/** The environment of every kind command for an engine: the provider named, podman's configuration. */
export function kindEnv(engine: EngineName | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return engine ? { KIND_EXPERIMENTAL_PROVIDER: engine, ...engineEnv(engine, env) } : {};
}

/** The archive podman writes for one image: a file name from the image reference, unique within the plan. */
export function archiveName(image: string, index: number): string {
  return `${index}-${image.replace(/[^A-Za-z0-9_.-]+/g, '_')}.tar`;
}

/** The commands for one run: create if missing, load every image, and how to delete it later. */
export function planCluster(cluster: ClusterChoice, exists: boolean, images: readonly string[], options: PlanOptions = {}): ClusterPlan {
  if (cluster.provider === 'kind') {
    const { engine, nodeImage = process.env.KIND_NODE_IMAGE, archiveDir = tmpdir() } = options;
    const image = nodeImage ? ['--image', nodeImage] : [];
    const load = (ref: string, i: number): string[][] => {
      if (engine !== 'podman') return [['kind', 'load', 'docker-image', ref, '--name', cluster.name]];
      const archive = path.join(archiveDir, archiveName(ref, i));
      return [['podman', 'save', '--format', 'docker-archive', '-o', archive, ref], ['kind', 'load', 'image-archive', archive, '--name', cluster.name]];
    };
    return {
      ...(exists ? {} : { create: ['kind', 'create', 'cluster', '--name', cluster.name, '--config', path.join(projectRoot, 'kind-config.yaml'), ...image, '--wait', '120s'] }),
      load: images.flatMap(load),
      context: contextOf(cluster),
      delete: ['kind', 'delete', 'cluster', '--name', cluster.name],
      env: kindEnv(engine),
    };
  }
  return {
    ...(exists ? {} : { create: ['k3d', 'cluster', 'create', cluster.name, '--wait'] }),
    load: images.map((image) => ['k3d', 'image', 'import', image, '--cluster', cluster.name]),
    context: contextOf(cluster),
    delete: ['k3d', 'cluster', 'delete', cluster.name],
    env: {},
  };
}

/** Parse `kind get clusters` / `k3d cluster list --no-headers` output into names. */
export function parseClusterList(provider: ClusterProvider, stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^No kind clusters found/.test(line))
    .map((line) => (provider === 'k3d' ? line.split(/\s+/)[0]! : line));
}

/** One kind/k3d command. `signal` is the run's, except in teardown, which must run after an abort too. */
async function runStep(argv: string[], ctx: TargetContext, timeoutMs: number, env: Record<string, string>, signal: AbortSignal | undefined = ctx.signal): Promise<string> {
  ctx.log(argv.join(' '));
  try {
    return (await run(argv[0]!, argv.slice(1), { timeoutMs, signal, env })).stdout;
  } catch (error) {
    signal?.throwIfAborted();
    if ((error as { message?: string }).message?.startsWith('Command not found')) {
      throw new PrerequisiteError(`${argv[0]} is not installed: see https://kind.sigs.k8s.io/ (kind) or https://k3d.io/ (k3d)`);
    }
    throw new PrerequisiteError(`${argv.join(' ')} failed: ${tail((error as Error).message, 12)}`, { cause: error });
  }
}

/** Run a plan's load commands; podman's archives go to a directory of their own, removed whatever happens. */
async function loadImages(cluster: ClusterChoice, engine: EngineName, images: readonly string[], ctx: TargetContext): Promise<void> {
  const archiveDir = engine === 'podman' ? await mkdtemp(path.join(tmpdir(), 'holistic-kind-load-')) : undefined;
  try {
    const plan = planCluster(cluster, true, images, { engine, archiveDir });
    for (const load of plan.load) await runStep(load, ctx, 15 * 60_000, plan.env);
  } finally {
    if (archiveDir) await rm(archiveDir, { recursive: true, force: true });
  }
}

export interface KindTargetOptions extends KubeTargetOptions {
  engine?: string;
  /** Delete a cluster this run created at the end (default: keep it for the next run). */
  keepCluster?: boolean;
}

/** Part of the registry (targets/index.ts): picked by `--target auto` when kind and docker both work. */
export const kindTarget: TargetDefinition = {
  name: 'kind',
  summary: 'a kind (or k3d) cluster, created from kind-config.yaml or reused, the images loaded into it; then as kube',
  capabilities: { crashOnStart: true, hostProcess: false },
  checks: async (options) => kindChecks(await detectEngine(options.engine).catch((error: Error) => error)),
  autoPreference: 1,
  autoPick: async (options) => {
    const engine = await detectEngine(options.engine, { forKind: true }).catch(() => undefined);
    const kind = await run('kind', ['version'], { timeoutMs: 10_000, reject: false }).then((r) => r.exitCode === 0, () => false);
    // docker, or podman when kind is told to use it: an unasked podman provider is kind's "experimental" one.
    const usable = engine && (engine.name === 'docker' || process.env.KIND_EXPERIMENTAL_PROVIDER === 'podman');
    return kind && usable ? `kind (kind and ${engine.version} work)` : undefined;
  },
  create: (options) => new KindTarget(options),
};

/**
 * The cluster made ready (created or reused, images loaded), then everything as the kube target does it, against
 * the cluster's context: kind composes a KubeTarget, so every way of starting an app (healthy or crashing) gets
 * the cluster first.
 */
export class KindTarget implements Target {
  readonly kind = 'kind';
  constructor(private readonly options: KindTargetOptions) {}

  async up(app: AppSpec, ctx: TargetContext): Promise<Deployment> {
    return (await this.cluster(app, ctx)).up(app, ctx);
  }

  async upExpectingCrash(app: AppSpec, ctx: TargetContext): Promise<CrashedStart> {
    return (await this.cluster(app, ctx)).upExpectingCrash(app, ctx);
  }

  /** Create or reuse the cluster, load both images into it, and return the kube target for its context. */
  private async cluster(app: AppSpec, ctx: TargetContext): Promise<KubeTarget> {
    if (!app.image) throw new PrerequisiteError(`app ${app.name} has no image: it cannot run on a kind cluster`);
    const cluster = clusterFromEnv();
    const images = [app.image, this.options.toolsImage];
    // The engine first: it is kind's provider, so it decides which clusters exist (kind lists one provider's).
    const engine = await detectEngine(this.options.engine, { forKind: true, images });
    ctx.log(`engine: ${engine.version} (${engine.reason})`);
    const env = cluster.provider === 'kind' ? kindEnv(engine.name) : {};
    const list = cluster.provider === 'kind' ? ['kind', 'get', 'clusters'] : ['k3d', 'cluster', 'list', '--no-headers'];
    const exists = parseClusterList(cluster.provider, await runStep(list, ctx, 60_000, env)).includes(cluster.name);
    const plan = planCluster(cluster, exists, images, { engine: engine.name });
    if (plan.create) {
      await runStep(plan.create, ctx, 15 * 60_000, plan.env);
      if (this.options.keepCluster === false) ctx.cleanup.add(`delete ${cluster.provider} cluster ${cluster.name}`, () => runStep(plan.delete, ctx, 5 * 60_000, plan.env, undefined).then(() => undefined));
    } else {
      ctx.log(`${cluster.provider} cluster ${cluster.name} exists${cluster.provider === 'kind' ? ` in ${engine.name}` : ''}: reusing it`);
    }
    // The node pulls nothing: both images come from the local engine.
    for (const image of images) await ensureImage(engine, image, { signal: ctx.signal, log: ctx.log });
    await loadImages(cluster, engine.name, images, ctx);
    // Pods beside the app (an in-cluster load generator) get their image the same way, when a run first asks.
    const prepareImage = async (image: string, c: TargetContext) => {
      await ensureImage(engine, image, { signal: c.signal, log: c.log });
      await loadImages(cluster, engine.name, [image], c);
    };
    return new KubeTarget({ ...this.options, context: this.options.context ?? plan.context, imagePullPolicy: 'Never', prepareImage });
  }
}

/**
 * The providers `holistic down` asks. docker always (asking has no side effect); podman as root, or when the user
 * chose it (HOLISTIC_ENGINE, KIND_EXPERIMENTAL_PROVIDER): a user's first rootless podman command starts a pause
 * process that outlives it, and kind on rootless podman is rare.
 */
export function downProviders(env: NodeJS.ProcessEnv = process.env, root = process.getuid?.() === 0): EngineName[] {
  const chosen = env.HOLISTIC_ENGINE === 'podman' || env.KIND_EXPERIMENTAL_PROVIDER === 'podman';
  return engineNames.filter((e) => e === 'docker' || root || chosen);
}

/**
 * `holistic down`: delete the kind/k3d cluster runs have been reusing. kind lists one provider's clusters at a
 * time, and the run that made it may have used either engine: each provider that answers (downProviders) is
 * asked, and the cluster deleted where it is. Once a provider holds no kind cluster, the `kind` network kind made
 * in it goes too.
 */
export async function deleteCluster(log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const cluster = clusterFromEnv();
  const argv = planCluster(cluster, true, []).delete;
  if (cluster.provider === 'k3d') {
    log(argv.join(' '));
    try {
      await run(argv[0]!, argv.slice(1), { timeoutMs: 5 * 60_000, signal });
    } catch (error) {
      // No k3d here: then there is no cluster of it to delete either.
      if (!(error as Error).message.startsWith('Command not found')) throw error;
      log('k3d is not installed: no k3d cluster to delete');
    }
    return;
  }
  let found = false;
  const providers = downProviders();
  for (const engine of providers) {
    const env = kindEnv(engine);
    let listed;
    try {
      listed = await run('kind', ['get', 'clusters'], { timeoutMs: 60_000, signal, env, reject: false });
    } catch (error) {
      if (!(error as Error).message.startsWith('Command not found')) throw error;
      log('kind is not installed: no kind cluster to delete');
      return;
    }
    // A provider that does not answer (no docker daemon, no podman) holds no cluster to delete.
    if (listed.exitCode !== 0) continue;
    const names = parseClusterList('kind', listed.stdout);
    if (names.includes(cluster.name)) {
      found = true;
      log(`${argv.join(' ')} (in ${engine})`);
      await run(argv[0]!, argv.slice(1), { timeoutMs: 5 * 60_000, signal, env });
      if (names.length === 1) await removeKindNetwork(engine, log, signal);
    }
  }
  if (!found) log(`no kind cluster ${cluster.name} in ${providers.join(' or ')}`);
}

/** kind makes a `kind` network in its provider on first create and never removes it: the last delete does. */
async function removeKindNetwork(engine: EngineName, log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const e = await detectEngine(engine).catch(() => undefined);
  if (!e || (await e.run(['network', 'inspect', 'kind'], { timeoutMs: 60_000, signal, reject: false })).exitCode !== 0) return;
  const r = await e.run(['network', 'rm', 'kind'], { timeoutMs: 60_000, signal, reject: false });
  log(r.exitCode === 0 ? `removed ${engine}'s kind network (no kind cluster left in it)` : `kept ${engine}'s kind network: ${tail(r.stderr, 2).trim()}`);
}
