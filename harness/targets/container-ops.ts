/**
 * What the container target does to a container, shared by its healthy and crash-on-start paths: label it with
 * the run and its owner, remove it (also synchronously on a force quit), read its logs.
 */
import { execFileSync } from 'node:child_process';
import { onForceQuit } from '../emergency.js';
import { tail } from '../exec.js';
import { ownerLabel, ownerText, runLabel } from '../owner.js';
import { engineEnv, type Engine } from './engine.js';

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
    execFileSync(engine.name, ['rm', '--force', '--time', '0', name], { stdio: 'ignore', timeout: 20_000, env: { ...process.env, ...engineEnv(engine.name) } });
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
