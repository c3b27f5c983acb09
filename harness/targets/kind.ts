/**
 * The kind (and k3d) target: the Kubernetes target plus the cluster's lifecycle, as the tutorial does it by hand:
 * reuse the cluster named by KIND_CLUSTER (default `kind`) or create it from kind-config.yaml, make sure the
 * app and debug-tools images exist in the engine, load them into the cluster's node (`kind load docker-image`,
 * `k3d image import`), then run exactly like `--target kube` against the cluster's context. The cluster is kept
 * by default (the next run reuses it); `holistic down` deletes it.
 *
 * planCluster() is pure: it says which commands a run will issue, so they are tested where kind cannot run.
 */
import path from 'node:path';
import type { AppSpec } from '../app.js';
import { PrerequisiteError } from '../errors.js';
import { run, tail } from '../exec.js';
import { projectRoot } from '../paths.js';
import { detectEngine } from './engine.js';
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
}

/** The commands for one run: create if missing, load every image, and how to delete it later. */
export function planCluster(cluster: ClusterChoice, exists: boolean, images: readonly string[], nodeImage: string | undefined = process.env.KIND_NODE_IMAGE): ClusterPlan {
  if (cluster.provider === 'kind') {
    // KIND_NODE_IMAGE: a node image of your own (hack/kind/build makes one offline), else kind's default.
    const image = nodeImage ? ['--image', nodeImage] : [];
    return {
      ...(exists ? {} : { create: ['kind', 'create', 'cluster', '--name', cluster.name, '--config', path.join(projectRoot, 'kind-config.yaml'), ...image, '--wait', '120s'] }),
      load: images.map((image) => ['kind', 'load', 'docker-image', image, '--name', cluster.name]),
      context: contextOf(cluster),
      delete: ['kind', 'delete', 'cluster', '--name', cluster.name],
    };
  }
  return {
    ...(exists ? {} : { create: ['k3d', 'cluster', 'create', cluster.name, '--wait'] }),
    load: images.map((image) => ['k3d', 'image', 'import', image, '--cluster', cluster.name]),
    context: contextOf(cluster),
    delete: ['k3d', 'cluster', 'delete', cluster.name],
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
async function runStep(argv: string[], ctx: TargetContext, timeoutMs: number, signal: AbortSignal | undefined = ctx.signal): Promise<string> {
  ctx.log(argv.join(' '));
  try {
    return (await run(argv[0]!, argv.slice(1), { timeoutMs, signal })).stdout;
  } catch (error) {
    signal?.throwIfAborted();
    if ((error as { message?: string }).message?.startsWith('Command not found')) {
      throw new PrerequisiteError(`${argv[0]} is not installed: see https://kind.sigs.k8s.io/ (kind) or https://k3d.io/ (k3d)`);
    }
    throw new PrerequisiteError(`${argv.join(' ')} failed: ${tail((error as Error).message, 12)}`, { cause: error });
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
    return kind && engine?.name === 'docker' ? `kind (kind and ${engine.version} work)` : undefined;
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
    const list = cluster.provider === 'kind' ? ['kind', 'get', 'clusters'] : ['k3d', 'cluster', 'list', '--no-headers'];
    const exists = parseClusterList(cluster.provider, await runStep(list, ctx, 60_000)).includes(cluster.name);
    const images = [app.image, this.options.toolsImage];
    const plan = planCluster(cluster, exists, images);
    if (plan.create) {
      await runStep(plan.create, ctx, 15 * 60_000);
      if (this.options.keepCluster === false) ctx.cleanup.add(`delete ${cluster.provider} cluster ${cluster.name}`, () => runStep(plan.delete, ctx, 5 * 60_000, undefined).then(() => undefined));
    } else {
      ctx.log(`${cluster.provider} cluster ${cluster.name} exists: reusing it`);
    }
    // The node pulls nothing: both images come from the local engine.
    const engine = await detectEngine(this.options.engine, { forKind: true, images });
    ctx.log(`engine: ${engine.version} (${engine.reason})`);
    for (const image of images) await ensureImage(engine, image, { signal: ctx.signal, log: ctx.log });
    for (const load of plan.load) await runStep(load, ctx, 15 * 60_000);
    // Pods beside the app (an in-cluster load generator) get their image the same way, when a run first asks.
    const prepareImage = async (image: string, c: TargetContext) => {
      await ensureImage(engine, image, { signal: c.signal, log: c.log });
      for (const load of planCluster(cluster, true, [image]).load) await runStep(load, c, 15 * 60_000);
    };
    return new KubeTarget({ ...this.options, context: this.options.context ?? plan.context, imagePullPolicy: 'Never', prepareImage });
  }
}

/** `holistic down`: delete the kind/k3d cluster runs have been reusing. */
export async function deleteCluster(log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const cluster = clusterFromEnv();
  const argv = planCluster(cluster, true, []).delete;
  log(argv.join(' '));
  try {
    await run(argv[0]!, argv.slice(1), { timeoutMs: 5 * 60_000, signal });
  } catch (error) {
    // No kind (or k3d) here: then there is no cluster of it to delete either.
    if (!(error as Error).message.startsWith('Command not found')) throw error;
    log(`${argv[0]} is not installed: no ${cluster.provider} cluster to delete`);
  }
}
