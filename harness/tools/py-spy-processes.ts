/**
 * py-spy over every Python process of a multi-process server (gunicorn/uwsgi master + workers), merged and per
 * process.
 *
 * Measured choice (gunicorn 23, 3 sync workers under catatonit, bcrypt load, 10 s at 100 Hz, nonblocking):
 *   one `py-spy record --subprocesses` on the root:  3005 samples, 3.3 s of sampler CPU (user+sys)
 *   one `py-spy record` per process (4 samplers):    3001 samples, 3.8 s of sampler CPU
 * The same evidence; one sampler costs less, needs one exec, and also follows workers the master forks during
 * the window (gunicorn replaces a worker that dies or hits max_requests), which per-process samplers started
 * before the window would miss. So: one sampler with --subprocesses. Its raw output starts every stack with
 * `process PID:"CMDLINE"` frames (root first); the innermost one says which process the sample is from. Those
 * frames are stripped from the merged profile (they would be at 100% total and name no code) and used to split
 * it per process. A non-Python root (catatonit, tini, sh) is fine for py-spy: it walks the children.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunError } from '../errors.js';
import { tail } from '../exec.js';
import type { Profile } from '../profile/model.js';
import { parsePySpyRaw } from '../profile/pyspy-raw.js';
import type { DebugSession } from '../targets/types.js';
import { findPythonProcesses, type AppProcess, type AppProcesses } from './processes.js';

export interface ProcessRecording {
  pid: number;
  cmdline: string;
  /** undefined when py-spy caught no non-idle sample of it (an idle worker). */
  profile: Profile | undefined;
  samples: number;
  rawPath: string | undefined;
}

export interface MultiProcessRecording {
  processes: AppProcesses;
  /** The pid py-spy attached to (with --subprocesses). */
  attachedPid: number;
  /** All processes' samples, process frames removed. */
  merged: Profile;
  mergedRawPath: string;
  /** One entry per Python process found (in discovery order), plus any process py-spy saw that discovery did not. */
  perProcess: ProcessRecording[];
  argv: string[];
}

/**
 * Split py-spy `--subprocesses` raw text: each line's leading `process N:"…"` frames go; the innermost one
 * names the process. Returns the merged text and the text per pid (each ends with a newline when non-empty).
 */
export function splitByProcess(raw: string): { merged: string; byPid: Map<number, { cmdline: string; text: string }> } {
  const merged: string[] = [];
  const byPid = new Map<number, { cmdline: string; lines: string[] }>();
  for (const line of raw.replace(/\r\n/g, '\n').split('\n')) {
    if (line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    if (space <= 0) continue;
    const stack = line.slice(0, space);
    const count = line.slice(space + 1);
    // A cmdline may contain ';': consume `process N:"…";` prefixes with a lazy match up to `";`.
    let rest = stack;
    let pid: number | undefined;
    let cmdline = '';
    for (;;) {
      const m = /^process (\d+):"(.*?)"(;|$)/.exec(rest);
      if (!m) break;
      pid = Number(m[1]);
      cmdline = m[2]!;
      rest = rest.slice(m[0].length);
    }
    if (rest === '') continue; // a process caught with no Python stack
    const out = `${rest} ${count}`;
    merged.push(out);
    if (pid !== undefined) {
      const entry = byPid.get(pid) ?? { cmdline, lines: [] };
      entry.lines.push(out);
      byPid.set(pid, entry);
    }
  }
  const text = (lines: string[]) => (lines.length ? lines.join('\n') + '\n' : '');
  return { merged: text(merged), byPid: new Map([...byPid].map(([pid, e]) => [pid, { cmdline: e.cmdline, text: text(e.lines) }])) };
}

/** The pid to attach to: the root-most Python process when every Python process is in its subtree, else the app's root. */
export function attachPoint(processes: AppProcesses, appPid: number): number {
  const parent = new Map(processes.tree.map((p) => [p.pid, p.ppid]));
  const under = (p: AppProcess, ancestor: number) => {
    for (let pid: number | undefined = p.pid; pid !== undefined && pid !== 0; pid = parent.get(pid)) if (pid === ancestor) return true;
    return false;
  };
  return processes.python.every((p) => under(p, processes.main.pid)) ? processes.main.pid : appPid;
}

export async function recordAllProcesses(
  session: DebugSession,
  hostDir: string,
  options: { durationS: number; rateHz?: number; nonblocking?: boolean; idle?: boolean; signal?: AbortSignal; name?: string },
): Promise<MultiProcessRecording> {
  const processes = await findPythonProcesses(session, { signal: options.signal });
  const attachedPid = attachPoint(processes, session.appPid);
  const name = options.name ?? 'py-spy';
  const rawIn = path.posix.join(session.scratchDir, `${name}-subprocesses-raw.txt`);
  const argv = [
    'py-spy', 'record', '--pid', String(attachedPid), '--subprocesses',
    '--duration', String(options.durationS),
    '--rate', String(options.rateHz ?? 100),
    ...(options.nonblocking ?? true ? ['--nonblocking'] : []),
    ...(options.idle ? ['--idle'] : []),
    '--format', 'raw', '--output', rawIn,
  ];
  const result = await session.exec(argv, { timeoutMs: (options.durationS + 60) * 1000, signal: options.signal, killSignal: 'SIGINT' });
  if (result.exitCode !== 0) {
    throw new RunError(`py-spy --subprocesses failed with exit code ${result.exitCode}: ${result.command}\n${tail(`${result.stderr}\n${result.stdout}`, 8)}`);
  }
  const rawHost = path.join(hostDir, `${name}-subprocesses-raw.txt`);
  await session.copyOut(rawIn, rawHost, { signal: options.signal });
  const { merged, byPid } = splitByProcess(await readFile(rawHost, 'utf8'));
  const mergedRawPath = path.join(hostDir, `${name}-profile.txt`);
  await writeFile(mergedRawPath, merged);
  const perProcess: ProcessRecording[] = [];
  const pids = [...processes.python.map((p) => p.pid), ...[...byPid.keys()].filter((pid) => !processes.python.some((p) => p.pid === pid))];
  for (const pid of pids) {
    const seen = byPid.get(pid);
    const found = processes.python.find((p) => p.pid === pid);
    if (!seen?.text) {
      perProcess.push({ pid, cmdline: found?.cmdline ?? '', profile: undefined, samples: 0, rawPath: undefined });
      continue;
    }
    const rawPath = path.join(hostDir, `${name}-pid${pid}.txt`);
    await writeFile(rawPath, seen.text);
    const profile = parsePySpyRaw(seen.text, rawPath);
    perProcess.push({ pid, cmdline: found?.cmdline ?? seen.cmdline, profile, samples: profile.totalWeight, rawPath });
  }
  return { processes, attachedPid, merged: parsePySpyRaw(merged, mergedRawPath, { allowEmpty: true }), mergedRawPath, perProcess, argv };
}
