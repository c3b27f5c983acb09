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
import { defaultToolsImage, ensureImage } from './images.js';
import { startExpectingCrash } from './container-crash.js';
import type { CrashedStart, DebugProfile, DebugSession, Deployment, ExecOptions, Target, TargetContext } from './types.js';

export interface ContainerTargetOptions {
  engine?: string;
  toolsImage?: string;
  healthTimeoutMs?: number;
  /** Publish the app on 127.0.0.1:port (`--port`) instead of a port the kernel picks. */
  port?: number;
}

export const runLabel = 'holistic.run';
const netavarkClean = path.join(projectRoot, 'hack', 'images', 'netavark-clean');

export class ContainerTarget implements Target {
  readonly kind = 'container' as const;
  constructor(private readonly options: ContainerTargetOptions = {}) {}

  /** Part of the Target interface: see container-crash.ts. */
  async upExpectingCrash(app: AppSpec, ctx: TargetContext): Promise<CrashedStart> {
    const toolsImage = this.options.toolsImage ?? process.env.HOLISTIC_TOOLS_IMAGE ?? defaultToolsImage;
    const engine = await detectEngine(this.options.engine, { images: app.image ? [app.image, toolsImage] : [toolsImage] });
    ctx.log(`engine: ${engine.version} (${engine.reason})`);
    return startExpectingCrash(engine, app, ctx, { toolsImage, timeoutMs: this.options.healthTimeoutMs ?? 60_000 });
  }

  async up(app: AppSpec, ctx: TargetContext): Promise<Deployment> {
    if (!app.image) throw new PrerequisiteError(`app ${app.name} has no image: it cannot run on the container target`);
    const toolsImage = this.options.toolsImage ?? process.env.HOLISTIC_TOOLS_IMAGE ?? defaultToolsImage;
    const engine = await detectEngine(this.options.engine, { images: [app.image, toolsImage] });
    ctx.log(`engine: ${engine.version} (${engine.reason})`);
    // Both images before anything starts: a missing debug image is found now, not after the app is up.
    const appImageId = await ensureImage(engine, app.image, { signal: ctx.signal, log: ctx.log });
    const toolsImageId = await ensureImage(engine, toolsImage, { signal: ctx.signal, log: ctx.log });

    if (engine.name === 'podman') {
      // Registered first, so it runs last: once our containers are gone, remove the shared NETAVARK chains
      // publishing a port created (the script leaves them while any podman network is still in use).
      ctx.cleanup.add('remove podman\'s leftover iptables chains', async () => {
        if (process.getuid?.() === 0 && existsSync(netavarkClean)) await run(netavarkClean, [], { timeoutMs: 30_000 });
      });
    }
    const name = `holistic-${app.name}-${randomBytes(3).toString('hex')}`;
    const port = this.options.port ?? (await freePort());
    const env = { ...app.env, ...ctx.appEnv };
    ctx.log(`starting ${app.name} as container ${name} (${app.image}) on 127.0.0.1:${port}`);
    const finalLogs = { text: '' };
    // Registered before the start, so a half-created container is removed too.
    ctx.cleanup.add(`remove container ${name}`, async () => {
      finalLogs.text = await containerLogs(engine, name);
      await removeContainer(engine, name, 10);
    });
    try {
      await engine.run(
        [
          'run', '--detach', '--name', name,
          '--label', `${runLabel}=${ctx.runId}`,
          '--publish', `127.0.0.1:${port}:${app.port}`,
          ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
          app.image,
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
    ctx.cleanup.add(`remove debug container ${debugName}`, () => removeContainer(engine, debugName, 0));
    await engine.run(
      [
        'run', '--detach', '--name', debugName,
        '--label', `${runLabel}=${ctx.runId}`,
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

export async function containerLogs(engine: Engine, name: string): Promise<string> {
  const r = await engine.run(['logs', name], { reject: false, timeoutMs: 30_000 }).catch(() => undefined);
  return r && r.exitCode === 0 ? `${r.stdout}${r.stderr}` : '';
}

/** Stop (SIGTERM, then SIGKILL after graceS) and remove; fine if it is already gone. */
export async function removeContainer(engine: Engine, name: string, graceS: number): Promise<void> {
  await engine.run(['stop', '--time', String(graceS), name], { reject: false, timeoutMs: (graceS + 30) * 1000 });
  const r = await engine.run(['rm', '--force', name], { reject: false, timeoutMs: 60_000 });
  if (r.exitCode !== 0 && !/no such container|no container with name/i.test(r.stderr)) {
    throw new Error(`${engine.name} rm ${name}: ${tail(r.stderr, 3)}`);
  }
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
