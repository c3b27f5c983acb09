/**
 * memray, attached from a DebugSession to a running app that has no memray of its own (distroless). Never knows
 * the target: everything goes through session.exec and /proc/<appPid>/root, which a debug container sharing the
 * app's PID namespace (and the local target's nsenter) can reach.
 *
 * The work inside the session is two small Python programs run by the tools' interpreter (`python3 -c`, so no
 * file has to be copied in first): memray-attach.py stages memray into the app's filesystem and injects it with
 * gdb; memray-sites.py reads the capture. See memray-attach.py for why `memray attach` alone cannot work here.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../paths.js';
import { PrerequisiteError, RunError } from '../errors.js';
import { tail } from '../text.js';
import type { MemoryCapture } from '../profile/memory.js';
import type { DebugSession } from '../targets/types.js';
import { toolTimeoutMs, type AttachedTool } from './attached.js';

export type { MemoryCapture, MemoryFrame, MemorySite } from '../profile/memory.js';

// The Python helpers ship as source beside the TypeScript (harness/tools/), compiled or not.
const here = path.join(projectRoot, 'harness', 'tools');
const attachProgram = readFileSync(path.join(here, 'memray-attach.py'), 'utf8');
const sitesProgram = readFileSync(path.join(here, 'memray-sites.py'), 'utf8');

export interface TrackOptions<T> {
  durationS: number;
  /** Started once memray is tracking, awaited before the capture is read: e.g. the load, so that it measures
   * exactly the tracked window (not the injection before it). */
  whileTracking?: () => Promise<T>;
  /** gdb gets this long to inject (it stops the app while it works); killed and detached after. */
  gdbTimeoutS?: number;
  signal?: AbortSignal;
}

/** Track allocations in the app for durationS and return the sites by memory still held. */
export async function trackMemory<T = undefined>(
  session: DebugSession,
  hostDir: string,
  options: TrackOptions<T>,
): Promise<MemoryCapture & { during: T | undefined }> {
  const pid = session.appPid;
  const staging = `/tmp/holistic-memray-${randomBytes(4).toString('hex')}`;
  const staged = `/proc/${pid}/root${staging}`;
  const gdbTimeoutS = options.gdbTimeoutS ?? 30;
  const signal = options.signal;
  try {
    const t0 = performance.now();
    const attach = await session.exec(
      ['python3', '-c', attachProgram, String(pid), staging, 'capture.bin', String(options.durationS), String(gdbTimeoutS)],
      { timeoutMs: toolTimeoutMs(gdbTimeoutS), signal },
    );
    const attachS = (performance.now() - t0) / 1000;
    const outcome = lastJson(attach.stdout) as { ok: boolean; kind?: string; message?: string; capture?: string } | undefined;
    if (!outcome) throw new RunError(`memray attach helper failed (exit ${attach.exitCode}): ${attach.command.slice(0, 200)}…\n${tail(attach.stderr + attach.stdout, 10)}`);
    if (!outcome.ok) throw attachError(outcome.kind ?? '', outcome.message ?? '', session);

    // Tracking started when the helper returned; the tracker stops itself durationS later and then writes the
    // aggregated capture: wait that long, then poll until the file reads whole.
    const [during] = await Promise.all([options.whileTracking?.(), sleep(options.durationS * 1000 + 500, undefined, { signal })]);
    const sitesOut = await pollSites(session, outcome.capture!, signal);

    const flameIn = path.posix.join(session.scratchDir, 'memray-flamegraph.html');
    const flame = await session.exec(['memray', 'flamegraph', '--leaks', '--force', '-o', flameIn, outcome.capture!], { timeoutMs: 120_000, signal });
    if (flame.exitCode !== 0) throw new RunError(`memray flamegraph failed: ${flame.command}\n${tail(flame.stderr + flame.stdout, 8)}`);
    const flamegraphPath = path.join(hostDir, 'memray-flamegraph.html');
    await session.copyOut(flameIn, flamegraphPath, { signal });
    const sitesPath = path.join(hostDir, 'memray-sites.json');
    await writeFile(sitesPath, JSON.stringify(sitesOut, null, 2) + '\n');
    return {
      sites: sitesOut.sites.map((s) => ({ ...s, stack: s.stack.map(([fn, file, line]) => ({ function: fn, file, line })) })),
      heldBytes: sitesOut.totalBytes,
      peakBytes: sitesOut.peakBytes,
      flamegraphPath,
      sitesPath,
      attachS,
      during,
    };
  } finally {
    // Whatever happened, take back what was put into the app's filesystem (not tied to the run's signal:
    // on Ctrl-C this must still run).
    await session.exec(['rm', '-rf', '--', staged], { timeoutMs: 30_000 }).catch(() => undefined);
  }
}

interface RawSites {
  totalBytes: number;
  peakBytes: number;
  sites: { bytes: number; allocations: number; allocator: string; stack: [string, string, number][] }[];
}

async function pollSites(session: DebugSession, capture: string, signal: AbortSignal | undefined): Promise<RawSites> {
  let last = '';
  for (let i = 0; i < 30; i++) {
    const r = await session.exec(['python3', '-c', sitesProgram, capture, '20'], { timeoutMs: 60_000, signal });
    const parsed = r.exitCode === 0 ? (lastJson(r.stdout) as RawSites | undefined) : undefined;
    if (parsed) return parsed;
    last = tail(r.stderr + r.stdout, 6);
    await sleep(1000, undefined, { signal });
  }
  throw new RunError(`memray's capture ${capture} never became readable (did the app exit or the tracker fail?):\n${last}`);
}

function attachError(kind: string, message: string, session: DebugSession): Error {
  switch (kind) {
    case 'permission':
      return new PrerequisiteError(`memray cannot attach to pid ${session.appPid}: ${message}\nTo grant ptrace: ${session.ptraceHint}.`);
    case 'mismatch':
    case 'staging':
      return new PrerequisiteError(`this target cannot support memray attach: ${message}`);
    default:
      return new RunError(`memray attach failed: ${message}`);
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

/**
 * memray as an attached tool: staged into the app, tracking while the scenario's load runs (the load starts
 * once tracking has begun, so it measures exactly the tracked window), the capture read back.
 */
export function memrayTrack(options: { gdbTimeoutS?: number } = {}): AttachedTool<MemoryCapture> {
  return {
    name: 'memray',
    async run(session, io, whileAttached) {
      io.log(`memray attach to pid ${session.appPid} for ${io.durationS} s (staged into the app's filesystem, removed after)`);
      const capture = await trackMemory(session, io.runDir, { durationS: io.durationS, gdbTimeoutS: options.gdbTimeoutS, signal: io.signal, whileTracking: whileAttached });
      io.artifact('memray flame graph (leaks)', path.basename(capture.flamegraphPath));
      io.artifact('memray sites', path.basename(capture.sitesPath));
      io.log(`memray attach took ${capture.attachS.toFixed(1)} s`);
      return capture;
    },
  };
}
