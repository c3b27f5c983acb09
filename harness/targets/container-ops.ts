/**
 * What the container target does to a container, shared by its healthy and crash-on-start paths: label it with
 * the run and its owner, remove it (also synchronously on a force quit), read its logs.
 */
import { execFileSync } from 'node:child_process';
import type { AppSpec } from '../app.js';
import { onForceQuit } from '../emergency.js';
import { tail } from '../exec.js';
import { ownerLabel, ownerText, runLabel } from '../owner.js';
import { engineCommand, engineEnv, type Engine } from './engine.js';

/** `--label` flags every container of a run carries: its run id and its owner (host, pid, start time). */
export function runLabels(runId: string): string[] {
  return ['--label', `${runLabel}=${runId}`, '--label', `${ownerLabel}=${ownerText()}`];
}

/**
 * Remove `name` synchronously if the process is force-quit before the container's normal removal; returns the
 * function that forgets it once the container is gone.
 */
export function removeOnForceQuit(engine: Engine, name: string): () => void {
  return onForceQuit(() => {
    execFileSync(engineCommand(engine.name), ['rm', '--force', '--time', '0', name], { stdio: 'ignore', timeout: 20_000, env: { ...process.env, ...engineEnv(engine.name) } });
  });
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

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * The app's container settings (AppSpec.container) as engine flags, and the arguments after the image. Requests
 * have no engine equivalent (a scheduler's notion): only limits apply here.
 */
export function appRunFlags(app: AppSpec): { flags: string[]; args: string[] } {
  const c = app.container ?? {};
  const flags: string[] = [];
  if (c.command) flags.push('--entrypoint', JSON.stringify(c.command));
  if (c.workingDir) flags.push('--workdir', c.workingDir);
  if (c.user) flags.push('--user', c.user);
  // The tools stage into the app's /tmp (memray): it stays writable, as an emptyDir would in a pod.
  if (c.readOnlyRootFilesystem) flags.push('--read-only', '--tmpfs', '/tmp:rw,mode=1777');
  if (c.resources?.limits?.cpu) flags.push('--cpus', String(cpuCores(c.resources.limits.cpu)));
  if (c.resources?.limits?.memory) flags.push('--memory', engineMemory(c.resources.limits.memory));
  return { flags, args: c.args ?? [] };
}

/** "500m" -> 0.5, "2" -> 2 (Kubernetes CPU quantities). */
export function cpuCores(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

/** "256Mi" -> "256m", "1Gi" -> "1g" (engines count memory in binary units with one letter). */
export function engineMemory(quantity: string): string {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!m) return quantity;
  const bytes = Number(m[1]) * ({ Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] ?? ''] ?? 1);
  return String(Math.ceil(bytes));
}
