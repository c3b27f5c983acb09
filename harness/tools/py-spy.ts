/**
 * py-spy, run inside a DebugSession against the app's PID. Builds argv, runs, copies the output out, reads it.
 * It never knows which target it runs on.
 *
 * `record` runs two samplers over the same window: `--format raw` (exact counts: the verdicts) and the
 * flame graph SVG (the picture; it drops frames under 0.1%). Both `--nonblocking` by default: measured on
 * bad-app, blocking sampling cost ~10% throughput and 2.2x p99 and read the hot share ~2 points low, and two
 * blocking samplers would pause the app twice as often.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PrerequisiteError, RunError } from '../errors.js';
import type { RunResult } from '../exec.js';
import { tail } from '../text.js';
import type { Profile } from '../profile/model.js';
import { parsePySpyDump, type ThreadDump } from '../profile/pyspy-dump.js';
import { parsePySpyRaw, readPySpyRaw } from '../profile/pyspy-raw.js';
import { toSpeedscope } from '../profile/speedscope.js';
import { reapedChildrenCpuS } from '../load/cpu.js';
import type { Sampling } from '../observer/effect.js';
import type { DebugSession } from '../targets/types.js';
import { toolTimeoutMs, type AttachedTool } from './attached.js';

export interface RecordOptions {
  durationS: number;
  /** Samples per second (py-spy's default is 100). */
  rateHz?: number;
  /** Sample without pausing the app (default true; see the module comment). */
  nonblocking?: boolean;
  /** Include idle threads (waiting on a lock, a socket): for contention, not for CPU. */
  idle?: boolean;
  /** Also write the flame graph SVG (default true). */
  flamegraph?: boolean;
  /**
   * Also run a GIL sampler over the same window (`--gil --format raw`: only the thread holding the GIL is
   * sampled): what profile/estimate.ts cpuShare and profile/gil.ts gilShares read. Default false. It cannot see
   * code that releases the GIL (bcrypt): never the only sampler.
   */
  gilSampler?: boolean;
  signal?: AbortSignal;
}

export interface Recording {
  profile: Profile;
  /** Host paths of what was copied out. */
  rawPath: string;
  svgPath: string | undefined;
  /** With gilSampler: the GIL holder's samples over the same window, and its host path. */
  gilProfile?: Profile;
  gilPath?: string;
  /** The profile in speedscope's file format (open it at speedscope's site or its desktop build). */
  speedscopePath: string;
  argv: string[];
}

/** Blocking recordings in progress per session: ptrace allows one tracer, so nothing else can attach meanwhile. */
const blockingRecords = new WeakMap<DebugSession, number>();

export async function record(session: DebugSession, hostDir: string, options: RecordOptions): Promise<Recording> {
  const common = [
    'record',
    '--pid', String(session.appPid),
    '--duration', String(options.durationS), // py-spy writes its file at --duration or SIGINT, not on SIGTERM
    '--rate', String(options.rateHz ?? 100),
    ...(options.nonblocking ?? true ? ['--nonblocking'] : []),
    ...(options.idle ? ['--idle'] : []),
  ];
  const rawIn = path.posix.join(session.scratchDir, 'py-spy-raw.txt');
  const svgIn = path.posix.join(session.scratchDir, 'py-spy-flame.svg');
  const rawArgv = ['py-spy', ...common, '--format', 'raw', '--output', rawIn];
  const svgArgv = ['py-spy', ...common, '--format', 'flamegraph', '--output', svgIn];
  // SIGINT, not SIGTERM, when stopped early: py-spy then still writes what it sampled.
  const execOptions = { timeoutMs: toolTimeoutMs(options.durationS), signal: options.signal, killSignal: 'SIGINT' as const };
  const blocking = !(options.nonblocking ?? true);
  if (blocking) blockingRecords.set(session, (blockingRecords.get(session) ?? 0) + 1);
  const runs = [session.exec(rawArgv, execOptions)];
  if (options.flamegraph ?? true) runs.push(session.exec(svgArgv, execOptions));
  const gilIn = path.posix.join(session.scratchDir, 'py-spy-gil.txt');
  if (options.gilSampler) runs.push(session.exec(['py-spy', ...common, '--gil', '--format', 'raw', '--output', gilIn], execOptions));
  const results = await Promise.all(runs).finally(() => {
    if (blocking) blockingRecords.set(session, (blockingRecords.get(session) ?? 1) - 1);
  });
  results.forEach((result) => checkPySpy(result, session));

  const rawPath = path.join(hostDir, 'profile.txt');
  await session.copyOut(rawIn, rawPath, { signal: options.signal });
  let svgPath: string | undefined;
  if (options.flamegraph ?? true) {
    svgPath = path.join(hostDir, 'flame.svg');
    await session.copyOut(svgIn, svgPath, { signal: options.signal });
  }
  const profile = await readPySpyRaw(rawPath);
  let gil: { gilProfile: Profile; gilPath: string } | undefined;
  if (options.gilSampler) {
    const gilPath = path.join(hostDir, 'profile-gil.txt');
    await session.copyOut(gilIn, gilPath, { signal: options.signal });
    // No GIL sample at all (every thread released it the whole time) is an empty file, not an error.
    const text = await readFile(gilPath, 'utf8');
    gil = { gilPath, gilProfile: text.trim() === '' ? { source: `py-spy --gil raw (${gilPath})`, frames: [], samples: [], totalWeight: 0 } : parsePySpyRaw(text, gilPath) };
  }
  // The same samples for speedscope (and any tool that imports its format): written from the raw counts, not a
  // third sampler, so it costs the app nothing.
  const speedscopePath = path.join(hostDir, 'profile.speedscope.json');
  await writeFile(speedscopePath, toSpeedscope(profile, { name: `py-spy record of pid ${session.appPid}` }));
  return { profile, rawPath, svgPath, speedscopePath, argv: rawArgv, ...(gil ?? {}) };
}

export interface Dump {
  text: string;
  argv: string[];
  parsed: ThreadDump;
}

/** Thread stacks of every thread, once (`py-spy dump`). */
export async function dump(session: DebugSession, options: { signal?: AbortSignal; locals?: boolean } = {}): Promise<Dump> {
  const argv = ['py-spy', 'dump', '--pid', String(session.appPid), ...(options.locals ? ['--locals'] : [])];
  const result = await session.exec(argv, { timeoutMs: 60_000, signal: options.signal });
  checkPySpy(result, session);
  return { text: result.stdout, argv, parsed: parsePySpyDump(result.stdout, `py-spy dump of pid ${session.appPid}`) };
}

/** Turn py-spy's failures into messages that say what to do. */
function checkPySpy(result: RunResult, session: DebugSession): void {
  if (result.exitCode === 0) return;
  const output = `${result.stderr}\n${result.stdout}`;
  // Case-insensitive: under docker py-spy says "Permission Denied" (capital D), under podman "Permission denied".
  if (/permission denied|operation not permitted|os error 1\b|os error 13/i.test(output) && (blockingRecords.get(session) ?? 0) > 0) {
    throw new RunError(
      `py-spy could not attach to pid ${session.appPid}: a blocking \`py-spy record\` holds it (ptrace allows one tracer ` +
        `at a time). Sample with --sampling nonblocking, or run it after the recording.\n${result.command}\n${tail(output, 6)}`,
    );
  }
  if (/permission denied|operation not permitted|os error 1\b|os error 13/i.test(output)) {
    throw new PrerequisiteError(
      `py-spy is not permitted to attach to pid ${session.appPid}: it needs the SYS_PTRACE capability ` +
        `(session capabilities: ${session.capabilities.join(', ') || 'none'}).\nTo grant it: ${session.ptraceHint}.\n` +
        `${result.command}\n${tail(output, 6)}`,
    );
  }
  if (/No such process|Failed to find python version|Failed to get process executable name/.test(output)) {
    throw new RunError(`py-spy lost the app (pid ${session.appPid}): did it exit?\n${result.command}\n${tail(output, 6)}`);
  }
  throw new RunError(`py-spy failed with exit code ${result.exitCode}: ${result.command}\n${tail(output, 8)}`);
}

export interface RecordToolOptions {
  /** Include idle threads (waiting on a lock, a socket): for contention, not for CPU. */
  idle?: boolean;
  rateHz?: number;
  /** A third sampler with --gil over the same window: the GIL holder's samples (profile-gil.txt; shares.ts). */
  gilSampler?: boolean;
  /** Override the command line's --no-flamegraph for this recording. */
  flamegraph?: boolean;
}

/**
 * `py-spy record` as an attached tool: the run's CPU profile (raw counts, flame graph SVG, speedscope file),
 * sampled the way the command line says (`--sampling`, `--no-flamegraph`).
 */
export function pySpyRecord(options: RecordToolOptions = {}): AttachedTool<Recording> {
  return {
    name: 'py-spy',
    async run(session, io, whileAttached) {
      const flamegraph = options.flamegraph ?? io.flamegraph;
      const recordOptions: RecordOptions = { ...options, durationS: io.durationS, nonblocking: io.sampling !== 'blocking', flamegraph, signal: io.signal };
      const sampling: Sampling = { mode: io.sampling, samplers: 1 + (flamegraph ? 1 : 0) + (options.gilSampler ? 1 : 0), rate_hz: options.rateHz ?? 100 };
      io.log(`py-spy record --pid ${session.appPid} for ${io.durationS} s`);
      const cpuBefore = await reapedChildrenCpuS();
      const [recording] = await Promise.all([record(session, io.runDir, recordOptions), whileAttached()]);
      const cpuAfter = await reapedChildrenCpuS();
      // Only where py-spy runs as our descendant (local target); in a container it is the engine's child.
      if (!session.image && cpuBefore !== undefined && cpuAfter !== undefined) {
        sampling.profiler_cores = Math.round(((cpuAfter - cpuBefore) / io.durationS) * 1000) / 1000;
      }
      io.recordProfile(recording.profile, sampling, { gilProfile: recording.gilProfile });
      io.artifact('profile', path.basename(recording.rawPath));
      if (recording.svgPath) io.artifact('flamegraph', path.basename(recording.svgPath));
      io.artifact('speedscope', path.basename(recording.speedscopePath));
      if (recording.gilPath) io.artifact('profileGil', path.basename(recording.gilPath));
      return recording;
    },
  };
}
