/**
 * Every Python process of the app, found from inside a DebugSession by reading /proc there: the app's main
 * process (PID 1 in a pod) and all its descendants, each classified as Python or not. A gunicorn/uwsgi master
 * and its workers are all found; a PID 1 that is not Python (catatonit, tini, a shell wrapper) is not an error,
 * its Python descendants are the app. The debug container's own processes (same PID namespace, own mount
 * namespace, parent 0 as seen inside) are never part of the app.
 *
 * Reading /proc/PID/exe and /proc/PID/maps of another user's process needs ptrace rights: the same
 * CAP_SYS_PTRACE py-spy needs. Without it the exe is unreadable and the command line decides.
 */
import { RunError } from '../errors.js';
import { tail } from '../exec.js';
import type { DebugSession } from '../targets/types.js';

export interface AppProcess {
  pid: number;
  ppid: number;
  /** /proc/PID/exe as the session sees it ('' when unreadable). */
  exe: string;
  /** Arguments joined by spaces ('' for kernel threads and zombies). */
  cmdline: string;
  /** A Python interpreter (exe or argv[0] named python*, or libpython / a python plugin mapped: uwsgi). */
  python: boolean;
  /** Why it counts as Python, or why not: for the report. */
  why: string;
  /** In the session's own mount namespace (a process of the debug container or the host's tools). */
  ownNamespace: boolean;
}

/**
 * One line per process: pid, ppid, own|other (mount namespace vs the script's), 1 when a libpython or python
 * plugin is mapped, exe, cmdline. Tab-separated; POSIX sh + sed + grep + tr only (the tools image is Debian).
 */
export const processTableScript = [
  'self=$(readlink /proc/self/ns/mnt)',
  'for d in /proc/[0-9]*; do',
  '  p=${d#/proc/}',
  '  [ "$p" = "$$" ] && continue',
  '  ppid=$(sed -n "s/^PPid:[[:space:]]*//p" "$d/status" 2>/dev/null) || continue',
  '  [ -n "$ppid" ] || continue',
  '  mnt=$(readlink "$d/ns/mnt" 2>/dev/null)',
  '  ns=other; [ "$mnt" = "$self" ] && ns=own',
  '  lib=0; grep -qE "libpython[0-9.]*\\.so|python[0-9]*_plugin\\.so" "$d/maps" 2>/dev/null && lib=1',
  '  exe=$(readlink "$d/exe" 2>/dev/null)',
  '  cmd=$(tr "\\000\\t\\n" "   " < "$d/cmdline" 2>/dev/null)',
  '  printf "%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n" "$p" "$ppid" "$ns" "$lib" "$exe" "$cmd"',
  'done',
].join('\n');

const PYTHON_NAME = /(^|\/)python[0-9.]*[a-z]?$/;

/** Parse processTableScript's output. Lines that do not parse are skipped (a process that exited meanwhile). */
export function parseProcessTable(text: string): AppProcess[] {
  const processes: AppProcess[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split('\t');
    if (fields.length < 6) continue;
    const [pidText, ppidText, ns, lib, exe, ...rest] = fields;
    const pid = Number(pidText);
    const ppid = Number(ppidText);
    if (!Number.isInteger(pid) || !Number.isInteger(ppid)) continue;
    const cmdline = rest.join(' ').trim();
    const argv0 = cmdline.split(' ')[0] ?? '';
    let python = false;
    let why: string;
    if (exe && PYTHON_NAME.test(exe.replace(/ \(deleted\)$/, ''))) {
      python = true;
      why = `exe ${exe}`;
    } else if (lib === '1') {
      python = true;
      why = `embeds Python (libpython or a python plugin mapped), exe ${exe || '?'}`;
    } else if (!exe && PYTHON_NAME.test(argv0)) {
      python = true;
      why = `argv[0] ${argv0} (exe unreadable)`;
    } else {
      why = exe ? `exe ${exe}` : cmdline ? `argv[0] ${argv0}` : 'kernel thread or zombie';
    }
    processes.push({ pid, ppid, exe: exe ?? '', cmdline, python, why, ownNamespace: ns === 'own' });
  }
  return processes;
}

/**
 * The app's process tree: `root` and its descendants. When the root is in another mount namespace than the
 * session (a debug container), processes of the session's own namespace are left out as well.
 */
export function appTree(processes: readonly AppProcess[], root: number): AppProcess[] {
  const byParent = new Map<number, AppProcess[]>();
  for (const p of processes) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const rootProcess = processes.find((p) => p.pid === root);
  if (!rootProcess) return [];
  const foreign = !rootProcess.ownNamespace;
  const tree: AppProcess[] = [];
  const queue = [rootProcess];
  while (queue.length) {
    const p = queue.shift()!;
    if (foreign && p.ownNamespace) continue;
    tree.push(p);
    queue.push(...(byParent.get(p.pid) ?? []).sort((a, b) => a.pid - b.pid));
  }
  return tree;
}

export interface AppProcesses {
  /** The whole tree under the app's main process, Python or not, root first. */
  tree: AppProcess[];
  /** The Python processes among them (master and workers), root-most first. */
  python: AppProcess[];
  /** The root-most Python process: what `py-spy --subprocesses` or a single sampler attaches to. */
  main: AppProcess;
}

/** Find the app's Python processes from inside the session. Throws (RunError) when there is none. */
export async function findPythonProcesses(session: DebugSession, options: { signal?: AbortSignal } = {}): Promise<AppProcesses> {
  const result = await session.exec(['sh', '-c', processTableScript], { timeoutMs: 30_000, signal: options.signal });
  if (result.exitCode !== 0) {
    throw new RunError(`could not list the processes in the debug session: ${result.command}\n${tail(result.stderr || result.stdout, 6)}`);
  }
  const tree = appTree(parseProcessTable(result.stdout), session.appPid);
  if (tree.length === 0) {
    throw new RunError(`the app's main process (pid ${session.appPid}) is not visible in the debug session: did it exit, or does the session not share its PID namespace?`);
  }
  const python = tree.filter((p) => p.python);
  if (python.length === 0) {
    throw new RunError(
      `no Python process in the app (pid ${session.appPid} and its ${tree.length - 1} descendants):\n` +
        tree.map((p) => `  ${p.pid} (parent ${p.ppid}): ${p.why}: ${p.cmdline.slice(0, 120)}`).join('\n'),
    );
  }
  return { tree, python, main: python[0]! };
}
