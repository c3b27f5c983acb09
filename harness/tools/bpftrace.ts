/**
 * bpftrace from a privileged DebugSession (kubectl debug --profile=sysadmin): a native view of the app that
 * Python samplers cannot give — which machine code the CPU runs (profile:hz on the instruction pointer) and how
 * often a native function is called (uprobes on a library mapped by the app).
 *
 * The work inside the session is one Python program (bpftrace-native.py, run by the tools' python3 with -c)
 * because bpftrace alone cannot name the app nor resolve its symbols from a container; see that file.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../paths.js';
import { PrerequisiteError, RunError } from '../errors.js';
import { tail } from '../text.js';
import type { NativeProfile, NativeSymbol } from '../profile/native.js';
import type { DebugSession } from '../targets/types.js';
import { toolTimeoutMs, type AttachedTool } from './attached.js';

export type { NativeProfile, NativeSymbol } from '../profile/native.js';

const program = readFileSync(path.join(projectRoot, 'harness', 'tools', 'bpftrace-native.py'), 'utf8');

export interface NativeOptions {
  durationS: number;
  hz?: number;
  /** The mapped file to put uprobes on, e.g. /_bcrypt[^/]*\.so$/. */
  library: RegExp;
  /** Functions of that file to count (demangled name), at most 8 match. */
  functions: RegExp;
  signal?: AbortSignal;
}

export async function nativeProfile(session: DebugSession, hostDir: string, options: NativeOptions): Promise<NativeProfile> {
  const argv = ['python3', '-c', program, String(session.appPid), String(options.durationS), String(options.hz ?? 99), options.library.source, options.functions.source];
  const r = await session.exec(argv, { timeoutMs: toolTimeoutMs(options.durationS), signal: options.signal });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let out: { ok: boolean; kind?: string; message?: string; total?: number; samples?: NativeSymbol[]; calls?: Record<string, number>; probedLibrary?: string; program?: string };
  try {
    out = JSON.parse(line) as typeof out;
  } catch {
    throw new RunError(`the bpftrace helper failed (exit ${r.exitCode}) in the debug session:\n${tail(r.stderr + r.stdout, 10)}`);
  }
  if (!out.ok) {
    const message = out.message ?? '';
    if (out.kind === 'permission' || (out.kind === 'bpftrace' && !session.privileged && !session.capabilities.includes('ALL'))) {
      throw new PrerequisiteError(
        `bpftrace is not permitted in this debug session (privileged: ${session.privileged}, capabilities: ` +
          `${session.capabilities.join(', ') || 'none'}): loading BPF programs needs a privileged session. ` +
          `Declare debugProfile: 'sysadmin' in the scenario (kubectl debug --profile=sysadmin; podman/docker --privileged).\n${message}`,
      );
    }
    if (out.kind === 'no-symbol') throw new PrerequisiteError(`bpftrace has nothing to probe: ${message}`);
    throw new RunError(`bpftrace failed: ${message}`);
  }
  const programPath = path.join(hostDir, 'bpftrace.bt');
  const resultPath = path.join(hostDir, 'bpftrace-native.json');
  await writeFile(programPath, out.program ?? '');
  await writeFile(resultPath, JSON.stringify({ total: out.total, calls: out.calls, samples: out.samples }, null, 2) + '\n');
  return {
    symbols: out.samples ?? [],
    totalSamples: out.total ?? 0,
    calls: out.calls ?? {},
    probedLibrary: out.probedLibrary ?? '',
    programPath,
    resultPath,
  };
}

/** bpftrace as an attached tool: the native view of the app's CPU while the scenario's load runs. */
export function bpftraceNative(options: Omit<NativeOptions, 'durationS' | 'signal'>): AttachedTool<NativeProfile> {
  return {
    name: 'bpftrace',
    async run(session, io, whileAttached) {
      io.log(`bpftrace: profile:hz:${options.hz ?? 99} and uprobes on ${options.functions.source} in pid ${session.appPid} for ${io.durationS} s`);
      const [native] = await Promise.all([nativeProfile(session, io.runDir, { ...options, durationS: io.durationS, signal: io.signal }), whileAttached()]);
      io.artifact('bpftrace program', path.basename(native.programPath));
      io.artifact('native samples', path.basename(native.resultPath));
      return native;
    },
  };
}
