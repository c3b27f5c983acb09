/**
 * The container target: the app's real image (distroless: no shell) in podman or docker, and a debug container
 * that joins it the way `kubectl debug --target` joins a pod: `--pid=container:<app>` (the app is PID 1 there),
 * the same network namespace, and only the capabilities of the profile — `general`: SYS_PTRACE; `sysadmin`:
 * privileged. Tools are exec'd into the long-lived debug container one by one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AppSpec } from '../app.js';
import { PrerequisiteError } from '../errors.js';
import { run, tail } from '../exec.js';
import { projectRoot } from '../paths.js';
import { waitHealthy } from '../load/probe.js';
import { freePort, portTaken, saysAddressInUse } from './ports.js';
import { detectEngine, type Engine } from './engine.js';
import { engineChecks } from './container-checks.js';
import { appRunFlags, containerLogs, removeContainer, removeOnForceQuit, runLabels, shortId } from './container-ops.js';
import { defaultAppImage, defaultToolsImage, ensureImage } from './images.js';
import { startExpectingCrash } from './container-crash.js';
import type { CrashedStart, DebugProfile, DebugSession, Deployment, ExecOptions, Target, TargetContext, TargetDefinition } from './types.js';

/** Part of the registry (targets/index.ts): the app's image in podman or docker, a debug container beside it. */
export const containerTarget: TargetDefinition = {
  name: 'container',
  summary: 'the app\'s image in podman or docker; a debug container joins its PID namespace (--pid=container:APP)',
  capabilities: { crashOnStart: true, hostProcess: true },
  checks: async (options) => engineChecks(await detectEngine(options.engine).catch((error: Error) => error), { imagesRequired: true }),
  autoPreference: 2,
  autoPick: async (options) => {
    const engine = await detectEngine(options.engine, { images: [defaultAppImage, options.toolsImage ?? defaultToolsImage] }).catch(() => undefined);
    return engine ? `container (${engine.version}: ${engine.reason})` : undefined;
  },
  create: (options) => new ContainerTarget(options),
};

export interface ContainerTargetOptions {
  engine?: string;
  /** The debug-tools image (resolved by the run: flag, HOLISTIC_TOOLS_IMAGE, default). */
  toolsImage: string;
  healthTimeoutMs?: number;
  /** Publish the app on 127.0.0.1:port (`--port`) instead of a port the kernel picks. */
  port?: number;
}

const netavarkClean = path.join(projectRoot, 'hack', 'images', 'netavark-clean');

export class ContainerTarget implements Target {
  readonly kind = 'container' as const;
  constructor(private readonly options: ContainerTargetOptions) {}

  /** Part of the Target interface: see container-crash.ts. */
  async upExpectingCrash(app: AppSpec, ctx: TargetContext): Promise<CrashedStart> {
    const toolsImage = this.options.toolsImage;
    const engine = await detectEngine(this.options.engine, { images: app.image ? [app.image, toolsImage] : [toolsImage] });
    ctx.log(`engine: ${engine.version} (${engine.reason})`);
    return startExpectingCrash(engine, app, ctx, { toolsImage, timeoutMs: this.options.healthTimeoutMs ?? 60_000 });
  }

  async up(app: AppSpec, ctx: TargetContext): Promise<Deployment> {
    if (!app.image) throw new PrerequisiteError(`app ${app.name} has no image: it cannot run on the container target`);
    const toolsImage = this.options.toolsImage;
    const engine = await detectEngine(this.options.engine, { images: [app.image, toolsImage] });
    ctx.log(`engine: ${engine.version} (${engine.reason})`);
    // Both images before anything starts: a missing debug image is found now, not after the app is up.
    const appImageId = await ensureImage(engine, app.image, { signal: ctx.signal, log: ctx.log });
    const toolsImageId = await ensureImage(engine, toolsImage, { signal: ctx.signal, log: ctx.log });

    if (engine.name === 'podman') {
      // Registered first, so it runs last: once our containers are gone, remove the shared NETAVARK chains
      // publishing a port created (the script leaves them while any podman network is still in use).
      ctx.cleanup.add('remove podman\'s leftover iptables chains', async () => {
        if (process.getuid?.() === 0 && existsSync(netavarkClean)) await run(netavarkClean, ['--stale'], { timeoutMs: 30_000 });
      });
    }
    const name = `holistic-${app.name}-${randomBytes(3).toString('hex')}`;
    const port = this.options.port ?? (await freePort());
    const env = { ...app.env, ...ctx.appEnv };
    const shape = appRunFlags(app);
    ctx.log(`starting ${app.name} as container ${name} (${app.image}) on 127.0.0.1:${port}`);
    const finalLogs = { text: '' };
    // Registered before the start, so a half-created container is removed too.
    const forget = removeOnForceQuit(engine, name);
    ctx.cleanup.add(`remove container ${name}`, async () => {
      finalLogs.text = await containerLogs(engine, name);
      await removeContainer(engine, name, 10);
      forget();
    });
    try {
      await engine.run(
        [
          'run', '--detach', '--name', name,
          ...runLabels(ctx.runId),
          '--publish', `127.0.0.1:${port}:${app.port}`,
          ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
          ...shape.flags,
          app.image,
          ...shape.args,
        ],
        { signal: ctx.signal, timeoutMs: 120_000 },
      );
    } catch (error) {
      ctx.signal.throwIfAborted();
      // The engine's bind error: someone took the port after it was checked or picked.
      if (saysAddressInUse((error as Error).message)) throw await portTaken(port, this.options.port !== undefined, { cause: error });
      throw new PrerequisiteError(`${engine.name} could not start ${app.image}: ${(error as Error).message}`, { cause: error });
    }

    const url = `http://127.0.0.1:${port}`;
    try {
      await waitHealthy(url + app.healthPath, {
        timeoutMs: this.options.healthTimeoutMs ?? 60_000,
        signal: ctx.signal,
        isAlive: () => isRunning(engine, name),
      });
    } catch (error) {
      ctx.signal.throwIfAborted();
      throw new PrerequisiteError(
        `${app.name} did not start in container ${name}: ${(error as Error).message}\n` +
          `its last output:\n${tail(await containerLogs(engine, name)) || '(nothing)'}`,
        { cause: error },
      );
    }
    const hostPid = Number((await engine.run(['inspect', '--format', '{{.State.Pid}}', name])).stdout.trim());
    return new ContainerDeployment(engine, name, url, hostPid, finalLogs, ctx, toolsImage, {
      engine: engine.version,
      'app container': name,
      'app image': `${app.image} ${shortId(appImageId)}`,
      'tools image': `${toolsImage} ${shortId(toolsImageId)}`,
    });
  }
}

class ContainerDeployment implements Deployment {
  readonly description: string;
  constructor(
    private readonly engine: Engine,
    private readonly name: string,
    readonly url: string,
    readonly hostPid: number,
    private readonly finalLogs: { text: string },
    private readonly ctx: TargetContext,
    private readonly toolsImage: string,
    readonly environment: Record<string, string>,
  ) {
    this.description = `${engine.name} container ${name}`;
  }

  async debug(profile: DebugProfile): Promise<DebugSession> {
    const { engine, ctx } = this;
    const debugName = `${this.name}-debugger`;
    const privileges = { general: ['--cap-add', 'SYS_PTRACE'], baseline: [], sysadmin: ['--privileged'] }[profile];
    ctx.log(`debug container ${debugName}: --pid=container:${this.name} ${privileges.join(' ')}`);
    const forget = removeOnForceQuit(engine, debugName);
    ctx.cleanup.add(`remove debug container ${debugName}`, async () => {
      await removeContainer(engine, debugName, 0);
      forget();
    });
    await engine.run(
      [
        'run', '--detach', '--name', debugName,
        ...runLabels(ctx.runId),
        `--pid=container:${this.name}`,
        `--network=container:${this.name}`,
        ...privileges,
        this.toolsImage,
        'sleep', 'infinity',
      ],
      { signal: ctx.signal, timeoutMs: 120_000 },
    );
    // What the engine says it granted, not what we asked for.
    const [capAdd, privilegedText, imageId] = (
      await engine.run(['inspect', '--format', '{{json .HostConfig.CapAdd}}|{{.HostConfig.Privileged}}|{{.Image}}', debugName])
    ).stdout
      .trim()
      .split('|');
    const added = (JSON.parse(capAdd || 'null') as string[] | null) ?? [];
    const effective =
      engine.name === 'podman'
        ? (await engine.run(['inspect', '--format', '{{json .EffectiveCaps}}', debugName], { reject: false })).stdout.trim()
        : '';
    const scratchDir = '/tmp/holistic';
    const exec = (argv: readonly string[], options: ExecOptions) => engine.run(['exec', debugName, ...argv], { ...options, reject: false });
    await exec(['mkdir', '-p', scratchDir], { timeoutMs: 30_000, signal: ctx.signal });
    return {
      image: this.toolsImage,
      container: { name: debugName, target: this.name },
      capabilities: added.map((c) => c.replace(/^CAP_/, '')),
      privileged: privilegedText === 'true',
      appPid: 1,
      scratchDir,
      environment: {
        'debug container': debugName,
        'debug image ID': shortId(imageId ?? ''),
        ...(effective ? { 'debug effective capabilities': (JSON.parse(effective) as string[] | null)?.join(', ') ?? '' } : {}),
      },
      ptraceHint: `start the debug container with --cap-add=SYS_PTRACE (kubectl debug --profile=general)`,
      exec,
      copyOut: async (sessionPath, hostPath, options) => {
        await mkdir(path.dirname(hostPath), { recursive: true });
        await engine.run(['cp', `${debugName}:${sessionPath}`, hostPath], { timeoutMs: 120_000, signal: options.signal });
      },
    };
  }

  isAlive(): Promise<boolean> {
    return isRunning(this.engine, this.name);
  }

  async logs(): Promise<string> {
    return this.finalLogs.text || containerLogs(this.engine, this.name);
  }
}

async function isRunning(engine: Engine, name: string): Promise<boolean> {
  const r = await engine.run(['inspect', '--format', '{{.State.Running}}', name], { reject: false, timeoutMs: 30_000 });
  return r.exitCode === 0 && r.stdout.trim() === 'true';
}
