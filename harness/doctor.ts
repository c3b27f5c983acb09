/** `holistic doctor`: what each target needs, checked on this machine, each with how to get it. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { run } from './exec.js';
import { basePython } from './python-env.js';
import { detectEngine } from './targets/engine.js';
import { defaultToolsImage, imageId } from './targets/images.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface DoctorReport {
  local: Check[];
  container: Check[];
}

async function probeCommand(file: string, args: string[]): Promise<string | undefined> {
  try {
    const r = await run(file, args, { timeoutMs: 10_000, reject: false });
    return r.exitCode === 0 ? (r.stdout + r.stderr).trim().split('\n')[0] : undefined;
  } catch {
    return undefined;
  }
}

function nodeAtLeast(major: number, minor: number): boolean {
  const [ma, mi] = process.versions.node.split('.').map(Number) as [number, number];
  return ma > major || (ma === major && mi >= minor);
}

export async function doctor(): Promise<DoctorReport> {
  const root = process.getuid?.() === 0;
  const python = basePython();
  const pyVersion = await probeCommand(python, ['--version']);
  const venv = pyVersion ? await probeCommand(python, ['-c', 'import venv, ensurepip; print("ok")']) : undefined;
  const scope = (await readFile('/proc/sys/kernel/yama/ptrace_scope', 'utf8').catch(() => '0')).trim();
  const local: Check[] = [
    { name: 'node >= 20.5', ok: nodeAtLeast(20, 5), detail: process.version, fix: 'install Node 20.5 or newer' },
    { name: 'python3', ok: Boolean(pyVersion), detail: pyVersion ?? `${python} not found`, fix: 'install Python 3.10+ or set HOLISTIC_PYTHON' },
    { name: 'python3 venv + ensurepip', ok: Boolean(venv), detail: venv ? 'ok' : 'missing', fix: 'Debian/Ubuntu: apt-get install python3-venv' },
    {
      name: 'ptrace (py-spy attach)',
      ok: root || scope === '0',
      detail: root ? 'root' : `kernel.yama.ptrace_scope=${scope}`,
      fix: 'run as root, or sysctl kernel.yama.ptrace_scope=0',
    },
    {
      name: 'own PID namespace for the app',
      ok: root && existsSync('/usr/bin/unshare'),
      detail: root ? (existsSync('/usr/bin/unshare') ? 'unshare, root' : 'no unshare') : 'not root: the app runs as a plain child',
      fix: 'optional: run as root with util-linux installed',
    },
  ];
  const engine = await detectEngine().catch((error: Error) => error);
  const container: Check[] = [
    engine instanceof Error
      ? { name: 'container engine', ok: false, detail: 'none works', fix: 'apt-get install podman runc (or docker with a running daemon)' }
      : { name: 'container engine', ok: true, detail: engine.version },
  ];
  if (!(engine instanceof Error)) {
    for (const image of ['localhost/badapp:latest', defaultToolsImage]) {
      const id = await imageId(engine, image);
      container.push({ name: image, ok: Boolean(id), detail: id ? id.slice(0, 12) : 'missing', fix: 'hack/images/build (also built on first use)' });
    }
  }
  return { local, container };
}

export function formatDoctor(report: DoctorReport): string {
  const lines: string[] = [];
  for (const [target, checks] of Object.entries(report)) {
    lines.push(`${target} target:`);
    for (const c of checks as Check[]) {
      lines.push(`  ${c.ok ? 'ok  ' : 'MISS'} ${c.name.padEnd(32)} ${c.detail}${!c.ok && c.fix ? `  -> ${c.fix}` : ''}`);
    }
  }
  return lines.join('\n');
}
