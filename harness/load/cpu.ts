/**
 * CPU time, read from /proc: the app's own (utime + stime of its process, all threads) and the whole
 * machine's. Why: on a shared 2-core machine the wall-clock throughput of a CPU-bound app measures the
 * neighbours as much as the app (measured here: an unchanged bad-app read -41% throughput while other load tests
 * ran), but the CPU time the app spends per request does not depend on who else wants the cores. And the
 * machine's busy time minus ours says how much the neighbours took.
 */
import { readFile } from 'node:fs/promises';
import type { RunResult } from '../exec.js';

/** What reading the app's /proc through a debug session needs (a DebugSession has it; load/ is below targets/). */
export interface ProcReader {
  appPid: number;
  exec(argv: readonly string[], options: { timeoutMs: number; signal?: AbortSignal }): Promise<RunResult>;
}

/** USER_HZ: /proc reports times in clock ticks of 1/100 s on Linux (sysconf(_SC_CLK_TCK) is 100 everywhere it runs). */
const TICK_S = 0.01;

export async function processCpuS(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat ? statCpuS(stat) : undefined;
}

/** utime + stime of one `/proc/PID/stat` line, in seconds. */
export function statCpuS(stat: string): number | undefined {
  // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return fields.length > 12 && Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) * TICK_S : undefined;
}

/** Where the app's CPU time comes from. */
export interface AppCpu {
  /** CPU seconds the app has used so far; undefined when it cannot be read (gone). */
  read(): Promise<number | undefined>;
  /** The app runs on this machine, so this machine's busy time includes it (for the neighbours' share). */
  onThisMachine: boolean;
}

/** An app whose process this machine sees (local process, a local container engine's container). */
export function hostProcessCpu(pid: number): AppCpu {
  return { read: () => processCpuS(pid), onThisMachine: true };
}

/**
 * An app whose host PID is unknown (a pod, maybe on another machine): its /proc/PID/stat read from inside the
 * debug session, which shares its PID namespace. One exec per read (about 0.1 s on a pod).
 */
export function sessionProcessCpu(session: ProcReader, signal?: AbortSignal): AppCpu {
  return {
    read: async () => {
      const result = await session.exec(['cat', `/proc/${session.appPid}/stat`], { timeoutMs: 15_000, signal }).catch(() => undefined);
      return result?.exitCode === 0 ? statCpuS(result.stdout) : undefined;
    },
    onThisMachine: false,
  };
}

export async function machineBusyS(): Promise<number | undefined> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const line = stat?.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * TICK_S;
}

export interface CpuWindow {
  /** CPU seconds the app used in the window (undefined: it could not be read). */
  appCpuS: number | undefined;
  /** Average cores used by everything else on the machine (not the app, not this process); only when the app runs here. */
  othersCores: number | undefined;
  wallS: number;
}

/**
 * Wait until the app has finished what it was sent: a request whose client went away (the load generator
 * stops mid-request) is still worked on. Idle = under 10% of a core over 300 ms. Gives up after `maxMs`.
 */
export async function waitIdle(app: AppCpu, maxMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let last = await app.read();
  let lastAt = performance.now();
  while (last !== undefined && Date.now() < deadline) {
    signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, 300));
    const now = await app.read();
    const nowAt = performance.now();
    if (now === undefined) return false;
    // Under 10% of a core since the last read (a read through a debug session takes time of its own).
    if (now - last < 0.1 * ((nowAt - lastAt) / 1000)) return true;
    last = now;
    lastAt = nowAt;
  }
  return false;
}

/**
 * CPU seconds of this process's children that have exited and been waited for (cutime + cstime of
 * /proc/self/stat; a child's own waited-for children are included): how much a tool we ran used, measured
 * around it. Only tools that run as our descendants count (local target); a container engine's exec does not.
 */
export async function reapedChildrenCpuS(): Promise<number | undefined> {
  const stat = await readFile('/proc/self/stat', 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) * TICK_S : undefined;
}

/** Start measuring; the returned function ends the window. */
export async function cpuWindow(app: AppCpu | undefined): Promise<() => Promise<CpuWindow>> {
  const t0 = performance.now();
  const app0 = await app?.read();
  const machine0 = await machineBusyS();
  const self0 = process.cpuUsage();
  return async () => {
    const wallS = (performance.now() - t0) / 1000;
    const app1 = await app?.read();
    const machine1 = await machineBusyS();
    const self = process.cpuUsage(self0);
    const appCpuS = app0 !== undefined && app1 !== undefined ? app1 - app0 : undefined;
    const othersCores =
      app?.onThisMachine && machine0 !== undefined && machine1 !== undefined && appCpuS !== undefined && wallS > 0
        ? Math.max(0, (machine1 - machine0 - appCpuS - (self.user + self.system) / 1e6) / wallS)
        : undefined;
    return { appCpuS, othersCores, wallS };
  };
}
