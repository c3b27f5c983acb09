/**
 * How the app is started as a process of this machine (local target, and its crash-on-start path): the
 * harness's Python, its port (the user's --port, or one the kernel picks), argv and environment. The
 * environment also carries the run's id and owner (owner.ts): a process has no labels, and this is how a later
 * run finds an app that a killed run left running.
 */
import type { AppSpec } from '../app.js';
import { PrerequisiteError } from '../errors.js';
import { ownerEnv, ownerText, runEnv } from '../owner.js';
import { ensurePythonEnv, type PythonEnv } from '../python-env.js';
import { freePort } from './ports.js';
import type { TargetContext } from './types.js';

export interface LocalCommand {
  local: NonNullable<AppSpec['local']>;
  python: PythonEnv;
  port: number;
  argv: string[];
  env: Record<string, string>;
}

export async function appCommand(
  app: AppSpec,
  ctx: TargetContext,
  options: { port?: number; pickPort?: () => Promise<number> } = {},
): Promise<LocalCommand> {
  if (!app.local) throw new PrerequisiteError(`app ${app.name} has no local command: it cannot run on the local target`);
  const local = app.local;
  const python = await ensurePythonEnv(local.requirements ?? [], { signal: ctx.signal, log: ctx.log });
  const port = options.port ?? (await (options.pickPort ?? freePort)());
  const argv = local.command.map((arg) => arg.replaceAll('{python}', python.python).replaceAll('{port}', String(port)));
  const env: Record<string, string> = {
    ...app.env,
    ...local.env,
    ...ctx.appEnv,
    PYTHONUNBUFFERED: '1',
    [runEnv]: ctx.runId,
    [ownerEnv]: ownerText(),
  };
  if (local.portEnv) env[local.portEnv] = String(port);
  if (local.hostEnv) env[local.hostEnv] = '127.0.0.1';
  return { local, python, port, argv, env };
}
