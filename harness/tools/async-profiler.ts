/**
 * async-profiler, loaded into a running JVM from a DebugSession (the JVM row of the workflow: py-spy for Python,
 * async-profiler for the JVM). Never knows the target: everything goes through session.exec and
 * /proc/<appPid>/root, as memray does (harness/tools/memray.ts).
 *
 * No JDK, no jattach and no asprof in the session: Maven Central's async-profiler artifact carries only the agent
 * library (libasyncProfiler.so). async-profiler-attach.py, run by the session's python3, speaks HotSpot's attach
 * protocol itself: it stages the library into the JVM's mount namespace, asks the JVM (as the JVM's user) to
 * open its attach socket, and sends `load <lib> true <async-profiler command>`. The JVM writes the profile into
 * its own /tmp; it is read back through /proc/<pid>/root and every staged file is removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrerequisiteError, RunError } from '../errors.js';
import { run, tail } from '../exec.js';
import { projectRoot } from '../paths.js';
import { parseAsyncProfilerCollapsed } from '../profile/async-profiler-collapsed.js';
import type { Profile } from '../profile/model.js';
import type { DebugSession } from '../targets/types.js';
import type { AttachedTool } from './attached.js';

// The Python helper ships as source beside the TypeScript (harness/tools/), compiled or not.
const here = path.join(projectRoot, 'harness', 'tools');
const attachProgram = readFileSync(path.join(here, 'async-profiler-attach.py'), 'utf8');

export const asyncProfilerVersion = '4.1';
/** Where tools.dockerfile puts the agent library in the debug-tools image. */
export const imageLibPath = '/opt/async-profiler/lib/libasyncProfiler.so';
/**
 * Where the library is staged inside the JVM's filesystem. Fixed (per version), not random: an agent cannot be
 * unloaded, and the JVM dlopens by path, so a second attach to the same JVM must name the same path to reuse the
 * loaded copy instead of loading a second async-profiler into the process.
 */
export const stagedLibDir = `/tmp/.holistic-async-profiler-${asyncProfilerVersion}`;

export type AsyncProfilerEvent = 'itimer' | 'cpu' | 'wall';

export interface JvmProfileOptions<T> {
  durationS: number;
  /** itimer (default): CPU time via setitimer, works without perf events (not available here); cpu: perf events
   * with an itimer fallback inside async-profiler; wall: every thread, running or not. */
  event?: AsyncProfilerEvent;
  /** Sampling interval in milliseconds (default 10). */
  intervalMs?: number;
  /** Started once the profiler runs, awaited before it is stopped: the load, so the window is the load's. */
  whileProfiling?: () => Promise<T>;
  /** How long the JVM gets to open its attach socket (default 10 s). */
  attachTimeoutS?: number;
  signal?: AbortSignal;
}

export interface JvmProfile<T> {
  profile: Profile;
  /** Host paths of what was copied out. */
  collapsedPath: string;
  flamegraphPath: string;
  /** Seconds from the start of the attach (the helper's start, staging, SIGQUIT, socket, agent start) until
   * sampling ran, as the harness saw it; and the part of it inside the session from the attach request on. */
  attachS: number;
  attach: { socketS: number; agentS: number };
  /** The JVM's /tmp entries an attach can create (`.java_pid<pid>`, `.attach_pid<pid>`, holistic's staging), before
   * the attach and after the cleanup: equal when nothing was left behind. */
  tmpBefore: string[] | undefined;
  tmpAfter: string[] | undefined;
  /** Paths staged into the JVM's filesystem that could not be removed (empty on success). */
  leftovers: string[];
  command: { start: string; stop: string };
  during: T | undefined;
}

interface HelperOutcome {
  ok: boolean;
  kind?: string;
  message?: string;
  attachS?: number;
  socketS?: number;
  nspid?: number;
  tmpBefore?: string[] | null;
  tmpAfter?: string[] | null;
  left?: string[];
}

/** Profile the JVM at session.appPid for durationS with async-profiler; returns the collapsed stacks as a Profile. */
export async function profileJvm<T = undefined>(
  session: DebugSession,
  hostDir: string,
  options: JvmProfileOptions<T>,
): Promise<JvmProfile<T>> {
  const pid = session.appPid;
  const signal = options.signal;
  const lib = await agentLibrary(session, signal);
  const outDir = `/tmp/holistic-async-profiler-${randomBytes(4).toString('hex')}`;
  const collapsedIn = `${outDir}/profile.collapsed`;
  const flameIn = `${outDir}/flamegraph.html`;
  const timeoutS = options.attachTimeoutS ?? 10;
  const event = options.event ?? 'itimer';
  const start = `start,event=${event},interval=${options.intervalMs ?? 10}ms`;
  const stop = `stop,file=${collapsedIn},collapsed`;
  const helper = (args: Record<string, unknown>, sig?: AbortSignal) =>
    callHelper(session, { pid, timeoutS, ...args }, (timeoutS + 60) * 1000, sig);
  let nspid: number | undefined;
  let tmpBefore: string[] | undefined;
  let cleanup: HelperOutcome | undefined;
  let result: Omit<JvmProfile<T>, 'tmpAfter' | 'leftovers'> | undefined;
  try {
    const t0 = performance.now();
    const started = await helper({ op: 'load', lib, libDir: stagedLibDir, outDir, command: start, log: `${outDir}/start.log` }, signal);
    const attachS = (performance.now() - t0) / 1000;
    if (!started.ok) throw attachError(started, session);
    nspid = started.nspid;
    tmpBefore = started.tmpBefore ?? undefined;

    const [during] = await Promise.all([options.whileProfiling?.(), sleep(options.durationS * 1000, undefined, { signal })]);

    const stopped = await helper({ op: 'load', lib, libDir: stagedLibDir, outDir, command: stop, log: `${outDir}/stop.log` }, signal);
    if (!stopped.ok) throw attachError(stopped, session);
    // The flame graph of the same (stopped) session: async-profiler's own HTML.
    const flamed = await helper({ op: 'load', lib, libDir: stagedLibDir, outDir, command: `dump,file=${flameIn},flamegraph`, log: `${outDir}/dump.log` }, signal);
    if (!flamed.ok) throw attachError(flamed, session);

    await mkdir(hostDir, { recursive: true });
    const collapsedPath = path.join(hostDir, 'profile.collapsed');
    const flamegraphPath = path.join(hostDir, 'async-profiler-flamegraph.html');
    const collapsed = await readInJvm(session, collapsedIn, signal);
    await writeFile(collapsedPath, collapsed);
    await writeFile(flamegraphPath, await readInJvm(session, flameIn, signal));
    result = {
      profile: parseAsyncProfilerCollapsed(collapsed, collapsedPath),
      collapsedPath,
      flamegraphPath,
      attachS,
      attach: { socketS: started.socketS ?? NaN, agentS: started.attachS ?? NaN },
      tmpBefore,
      command: { start, stop },
      during,
    };
  } finally {
    // Whatever happened, take back what was put into the JVM's filesystem, and the attach socket the JVM made
    // for us (HotSpot opens a new one at the next attach request). Not tied to the run's signal: on Ctrl-C
    // this must still run. A profiler still running after a failure is stopped first.
    if (result === undefined && nspid !== undefined) {
      await helper({ op: 'load', lib, libDir: stagedLibDir, outDir, command: 'stop,file=/dev/null', log: `${outDir}/abort.log` }).catch(() => undefined);
    }
    // An attach socket that was there before us belongs to someone else's session: leave it.
    const attachFiles = nspid === undefined ? [] : [`.java_pid${nspid}`, `.attach_pid${nspid}`].filter((f) => !tmpBefore?.includes(f));
    const remove = [outDir, stagedLibDir, ...attachFiles.map((f) => `/tmp/${f}`)];
    cleanup = await helper({ op: 'cleanup', remove, nspid }).catch(() => undefined);
  }
  return {
    ...result,
    tmpAfter: cleanup?.tmpAfter ?? undefined,
    leftovers: cleanup ? (cleanup.left ?? []) : [`${outDir}, ${stagedLibDir} (the cleanup did not run)`],
  };
}

/** The agent library as the session sees it: the tools image's copy, or (tools on the host) the cached one. */
async function agentLibrary(session: DebugSession, signal: AbortSignal | undefined): Promise<string> {
  if (session.image !== undefined) return imageLibPath;
  const r = await run(path.join(projectRoot, 'hack/images/async-profiler'), [], { timeoutMs: 900_000, signal, reject: false });
  const lib = r.stdout.trim().split('\n').pop() ?? '';
  if (r.exitCode !== 0 || !existsSync(lib)) {
    throw new PrerequisiteError(
      `async-profiler's library is not available on this host (hack/images/async-profiler exit ${r.exitCode}); ` +
        `it comes from Maven Central (needs Maven: apt-get install maven):\n${tail(r.stderr, 6)}`,
    );
  }
  return lib;
}

async function callHelper(session: DebugSession, args: Record<string, unknown>, timeoutMs: number, signal?: AbortSignal): Promise<HelperOutcome> {
  const r = await session.exec(['python3', '-c', attachProgram, JSON.stringify(args)], { timeoutMs, signal });
  const outcome = lastJson(r.stdout) as HelperOutcome | undefined;
  if (!outcome) {
    throw new RunError(`async-profiler attach helper failed (exit ${r.exitCode}): python3 -c <async-profiler-attach.py> '${JSON.stringify(args)}'\n${tail(r.stderr + r.stdout, 10)}`);
  }
  return outcome;
}

/** Read a file the JVM wrote in its own filesystem, through /proc/<pid>/root. */
async function readInJvm(session: DebugSession, file: string, signal: AbortSignal | undefined): Promise<string> {
  const full = `/proc/${session.appPid}/root${file}`;
  const r = await session.exec(['cat', full], { timeoutMs: 60_000, signal });
  if (r.exitCode !== 0) throw new RunError(`async-profiler wrote no ${file} in the JVM (pid ${session.appPid}): ${tail(r.stderr, 4)}`);
  return r.stdout;
}

/** The helper's failure kinds, mapped to the CLI contract: what the user can fix is a prerequisite (exit 3). */
export function attachError(outcome: Pick<HelperOutcome, 'kind' | 'message'>, session: Pick<DebugSession, 'appPid' | 'ptraceHint'>): Error {
  const message = outcome.message ?? '';
  switch (outcome.kind) {
    case 'not-found':
    case 'not-jvm':
      return new PrerequisiteError(`async-profiler needs a JVM to attach to: ${message}`);
    case 'permission':
      return new PrerequisiteError(`async-profiler cannot attach to pid ${session.appPid}: ${message}\nTo grant ptrace: ${session.ptraceHint}.`);
    case 'disabled':
      return new PrerequisiteError(`the JVM does not allow attaching: ${message}`);
    case 'refused':
      return new PrerequisiteError(`the JVM refused the attach: ${message}`);
    case 'user':
      return new PrerequisiteError(`async-profiler must attach as the JVM's user: ${message}`);
    case 'no-agent':
      return new PrerequisiteError(
        `${message}: the debug image predates the JVM support; rebuild it (hack/images/build --only tools, or make build)`,
      );
    case 'staging':
      return new PrerequisiteError(`this target cannot take async-profiler's library: ${message} (a read-only root filesystem without a writable /tmp?)`);
    default:
      return new RunError(`async-profiler failed (${outcome.kind ?? 'unknown'}): ${message}`);
  }
}

function lastJson(stdout: string): unknown {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** What an async-profiler recording gives a scenario: the profile and what proves nothing was left staged. */
export type JvmRecording = JvmProfile<void>;

/**
 * async-profiler as an attached tool: loaded into the running JVM from the debug session, sampling while the
 * scenario's load runs; its profile becomes the run's (hotspots, flame graph, baseline).
 */
export function asyncProfilerRecord(options: Pick<JvmProfileOptions<void>, 'event' | 'intervalMs' | 'attachTimeoutS'> = {}): AttachedTool<JvmRecording> {
  return {
    name: 'async-profiler',
    async run(session, io, whileAttached) {
      io.log(`async-profiler into pid ${session.appPid} (${options.event ?? 'itimer'}) for ${io.durationS} s (staged through /proc/${session.appPid}/root, removed after)`);
      const capture = await profileJvm(session, io.runDir, { ...options, durationS: io.durationS, signal: io.signal, whileProfiling: whileAttached });
      io.recordProfile(capture.profile, null);
      io.artifact('async-profiler collapsed stacks', path.basename(capture.collapsedPath));
      io.artifact('async-profiler flame graph', path.basename(capture.flamegraphPath));
      io.log(`async-profiler attach took ${capture.attachS.toFixed(2)} s (attach socket ${capture.attach.socketS.toFixed(2)} s, agent loaded and started ${capture.attach.agentS.toFixed(2)} s)`);
      return capture;
    },
  };
}
