/**
 * Who owns a resource: every process, container, pod and namespace a run creates carries its run id and its
 * owner (this host, this process's PID and the PID's start time), so a later run, `holistic doctor` and
 * `holistic down` can tell what a killed run left behind (SIGKILL, a force quit, OOM, power loss) from what a
 * live run still uses, and remove only the former. The start time guards against a reused PID.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Label (containers, Kubernetes objects) and environment variable (local processes) with the run id. */
export const runLabel = 'holistic.run';
/** Label/annotation with the owner, `host/pid/start`. */
export const ownerLabel = 'holistic.owner';
/** The same two for a local process, which has no labels: they go in its environment. */
export const runEnv = 'HOLISTIC_RUN';
export const ownerEnv = 'HOLISTIC_OWNER';

export interface Owner {
  host: string;
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks after boot; with the PID, unique for the boot. */
  start: string;
}

/** A process's start time, from /proc (undefined when it is gone). */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let self: Owner | undefined;
export function currentOwner(): Owner {
  self ??= { host: hostLabel(), pid: process.pid, start: processStart(process.pid) ?? '0' };
  return self;
}

/** As a label value: [A-Za-z0-9_.-], at most 63 characters. */
export function ownerText(owner: Owner = currentOwner()): string {
  return `${owner.host}.${owner.pid}.${owner.start}`.slice(0, 63);
}

export function parseOwner(text: string | undefined): Owner | undefined {
  const m = /^(.*)\.(\d+)\.(\d+)$/.exec(text ?? '');
  return m ? { host: m[1]!, pid: Number(m[2]), start: m[3]! } : undefined;
}

/**
 * Is the owner still running? `undefined` when it cannot be told: another host's run (it may be alive; only
 * its own machine can say).
 */
export function ownerAlive(owner: Owner): boolean | undefined {
  if (owner.host !== hostLabel()) return undefined;
  return processStart(owner.pid) === owner.start;
}

function hostLabel(): string {
  return os.hostname().toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40) || 'host';
}

/** Label values: at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric. */
export function sanitizeLabel(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
