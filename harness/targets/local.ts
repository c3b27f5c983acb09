/**
 * The local target: the app as a plain process on this machine. The embedded default that works on any Linux
 * box with Node and Python. When root, the app runs in its own PID namespace (unshare) so it is PID 1 there,
 * as in a pod; the "debug session" is the host itself, which sees every PID namespace below it.
 */
import { existsSync } from 'node:fs';
import { copyFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppSpec } from '../app.js';
import { PrerequisiteError } from '../errors.js';
import { run, spawnBackground, tail, type BackgroundProcess } from '../exec.js';
import { waitHealthy } from '../load/probe.js';
import type { PythonEnv } from '../python-env.js';
import { portOwners, portTaken, PortTakenError, saysAddressInUse } from './ports.js';
import { localChecks } from './local-checks.js';
import { appCommand } from './local-command.js';
import { startExpectingCrash } from './local-crash.js';
import type { CrashedStart, DebugProfile, DebugSession, Deployment, Target, TargetContext, TargetDefinition } from './types.js';

/** Part of the registry (targets/index.ts): the app as a process of this machine; always available. */
export const localTarget: TargetDefinition = {
  name: 'local',
  summary: 'the app as a process of this machine (own PID namespace when root); tools from the harness\'s Python',
  capabilities: { crashOnStart: true, hostProcess: true },
  checks: () => localChecks(),
  autoPreference: 3,
  autoPick: async () => 'local (no working podman or docker)',
  create: (options) => new LocalTarget({ port: options.port }),
};

export interface LocalTargetOptions {
  /** Run the app in its own PID namespace when possible (default: when root and unshare exists). */
  pidNamespace?: boolean;
  healthTimeoutMs?: number;
  /** Start the app on 127.0.0.1:port (`--port`) instead of a port the kernel picks. */
  port?: number;
  /** Where a kernel-picked port comes from (tests stand in a port that is taken). */
  pickPort?: () => Promise<number>;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export class LocalTarget implements Target {
  readonly kind = 'local' as const;
  constructor(private readonly options: LocalTargetOptions = {}) {}

  /** Part of the Target interface: see local-crash.ts. */
  async upExpectingCrash(app: AppSpec, ctx: TargetContext): Promise<CrashedStart> {
    return startExpectingCrash(app, ctx, await appCommand(app, ctx, this.options), { timeoutMs: this.options.healthTimeoutMs ?? 30_000 });
  }

  /**
   * A port the kernel picked can be taken by another process before the app binds it: then one more try on a
   * new port. The user's --port is not retried (they chose it: they are told who holds it).
   */
  async up(app: AppSpec, ctx: TargetContext): Promise<Deployment> {
    try {
      return await this.start(app, ctx);
    } catch (error) {
      if (!(error instanceof PortTakenError) || error.chosen) throw error;
      ctx.log(`port ${error.port} was taken before ${app.name} could bind it; trying once more on a new port`);
      return this.start(app, ctx);
    }
  }

  private async start(app: AppSpec, ctx: TargetContext): Promise<Deployment> {
    const { local, python, port, argv, env } = await appCommand(app, ctx, this.options);

    const useNamespace = (this.options.pidNamespace ?? true) && isRoot && existsSync('/usr/bin/unshare');
    const [file, ...args] = useNamespace
      ? ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', '--', ...argv]
      : argv;
    ctx.log(`starting ${app.name} on 127.0.0.1:${port}${useNamespace ? ' (own PID namespace)' : ''}`);
    // Not tied to ctx.signal: on Ctrl-C the cleanup stops it gracefully (SIGTERM to the app first).
    const proc = spawnBackground(file!, args, { env, cwd: local.cwd });
    let appPid: number | undefined;
    ctx.cleanup.add(`stop ${app.name} (pid ${proc.pid})`, () => stopApp(proc, appPid));

    const url = `http://127.0.0.1:${port}`;
    let exited = false;
    void proc.exited.then(() => (exited = true));
    try {
      await waitHealthy(url + app.healthPath, {
        timeoutMs: this.options.healthTimeoutMs ?? 30_000,
        signal: ctx.signal,
        isAlive: () => !exited,
      });
    } catch (error) {
      ctx.signal.throwIfAborted();
      // The app's own "Address already in use": someone bound the port after it was checked or picked.
      if (saysAddressInUse(proc.output())) throw await portTaken(port, this.options.port !== undefined, { cause: error });
      throw new PrerequisiteError(
        `${app.name} did not start on the local target: ${(error as Error).message}\n` +
          `command: ${proc.command}\nits last output:\n${tail(proc.output()) || '(nothing)'}`,
        { cause: error },
      );
    }
    // Healthy, but whose answer was it? Another server on the port (the race lost to one that answers the health
    // check) is not the app: the port's listener must be the app or one of its descendants, when /proc says.
    const owners = await portOwners(port).catch(() => []);
    const ours = await processTree(proc.pid);
    if (owners.length > 0 && !owners.some((o) => ours.has(o.pid))) throw new PortTakenError(port, owners, this.options.port !== undefined);
    appPid = useNamespace ? await childPid(proc.pid) : proc.pid;
    return new LocalDeployment(url, proc, appPid, useNamespace, python, ctx);
  }
}

class LocalDeployment implements Deployment {
  readonly description: string;
  readonly hostPid: number;
  readonly environment: Record<string, string>;
  constructor(
    readonly url: string,
    private readonly proc: BackgroundProcess,
    /** The app's PID as the host sees it. */
    private readonly appPid: number,
    private readonly namespaced: boolean,
    private readonly python: PythonEnv,
    private readonly ctx: TargetContext,
  ) {
    this.description = `local process ${proc.command} (pid ${appPid})`;
    this.hostPid = appPid;
    this.environment = {
      target: 'local process',
      python: python.python,
      'PID namespace': namespaced ? 'own (unshare), the app is PID 1' : 'the host\'s',
    };
  }

  async debug(profile: DebugProfile): Promise<DebugSession> {
    // On the host there is no container boundary: the "session" has whatever this user has.
    const ptraceScope = await readFile('/proc/sys/kernel/yama/ptrace_scope', 'utf8').catch(() => '0');
    const canPtrace = isRoot || ptraceScope.trim() === '0';
    const python = this.python;
    const namespaced = this.namespaced;
    // Tools run inside the app's PID (and /proc) namespace, as in a debug container sharing the pod's: py-spy
    // reads thread ids from the interpreter, which are namespace-local, to tell idle threads from busy ones;
    // run from the host it would misread them and count the idle main thread as busy.
    const enter = this.namespaced ? ['nsenter', '--target', String(this.appPid), '--pid', '--mount', '--'] : [];
    return {
      image: undefined,
      capabilities: isRoot ? ['ALL'] : canPtrace ? ['ptrace (same user)'] : [],
      privileged: isRoot && profile === 'sysadmin',
      appPid: this.namespaced ? 1 : this.appPid,
      scratchDir: this.ctx.scratchDir,
      environment: { 'debug session': namespaced ? 'host tools entering the app\'s PID namespace (nsenter)' : 'host tools' },
      ptraceHint:
        'on the local target run holistic as root, or allow ptrace of your own processes with ' +
        '`sysctl kernel.yama.ptrace_scope=0`',
      exec: (argv, options) => {
        const [tool, ...rest] = argv;
        const local = path.join(python.bin, tool!);
        const [file, ...args] = [...enter, existsSync(local) ? local : tool!, ...rest];
        return run(file!, args, { ...options, reject: false });
      },
      copyOut: async (sessionPath, hostPath) => {
        await copyFile(sessionPath, hostPath);
      },
    };
  }

  async isAlive(): Promise<boolean> {
    try {
      process.kill(this.appPid, 0);
      return true;
    } catch {
      return false;
    }
  }

  async logs(): Promise<string> {
    return this.proc.output();
  }
}

/**
 * SIGTERM the app itself first: unshare's --kill-child would SIGKILL it, and a clean exit is what a user's
 * app gets from Kubernetes. Then make sure the wrapper is gone too.
 */
async function stopApp(proc: BackgroundProcess, appPid: number | undefined): Promise<void> {
  if (appPid !== undefined && appPid !== proc.pid) {
    try {
      process.kill(appPid, 'SIGTERM');
    } catch {
      // already gone
    }
    await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 5000))]);
  }
  await proc.stop();
  // An app that ignored SIGTERM (PID 1 of its namespace without a handler does) dies with unshare, orphaned:
  // whoever adopts it reaps it a moment later. Teardown is done when it is gone, not when it was told.
  if (appPid !== undefined) {
    for (let i = 0; i < 100 && existsSync(`/proc/${appPid}`); i++) await new Promise((r) => setTimeout(r, 50));
  }
}

/** The process unshare forked: the app, PID 1 inside its namespace. */
async function childPid(parent: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const children = await readFile(`/proc/${parent}/task/${parent}/children`, 'utf8').catch(() => '');
    const first = Number(children.trim().split(/\s+/)[0]);
    if (first > 0) return first;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new PrerequisiteError(`cannot find the app process under unshare (pid ${parent})`);
}

/** A process and all its descendants, from /proc/PID/task/TID/children. */
export async function processTree(root: number): Promise<Set<number>> {
  const tree = new Set<number>([root]);
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const children = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
      for (const child of children.split(/\s+/).filter(Boolean).map(Number)) {
        if (!tree.has(child)) {
          tree.add(child);
          queue.push(child);
        }
      }
    }
  }
  return tree;
}
