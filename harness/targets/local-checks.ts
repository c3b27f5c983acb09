/** What the local target needs on this machine (`holistic doctor --target local`), each with its fix. */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { probeCommand } from '../exec.js';
import { cacheDir, projectRoot } from '../paths.js';
import { basePython } from '../python-env.js';
import type { Check } from './types.js';

function nodeAtLeast(major: number, minor: number): boolean {
  const [ma, mi] = process.versions.node.split('.').map(Number) as [number, number];
  return ma > major || (ma === major && mi >= minor);
}

/** Is CAP_SYS_PTRACE (bit 19) in this process's effective set? Root without it cannot attach py-spy. */
async function hasPtraceCapability(): Promise<boolean> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  return capEff ? (BigInt(`0x${capEff}`) & (1n << 19n)) !== 0n : false;
}

/** py-spy in any of the harness's cached virtualenvs, else on PATH. */
async function findPySpy(): Promise<string | undefined> {
  const root = cacheDir('python');
  const envs = await readdir(root).catch(() => [] as string[]);
  for (const env of envs) {
    const bin = path.join(root, env, 'bin', 'py-spy');
    if (existsSync(bin) && existsSync(path.join(root, env, '.holistic-complete'))) {
      const version = await probeCommand(bin, ['--version']);
      if (version) return `${version} (${bin})`;
    }
  }
  return probeCommand('py-spy', ['--version']);
}

export async function localChecks(): Promise<Check[]> {
  const root = process.getuid?.() === 0;
  const python = basePython();
  const pyVersion = await probeCommand(python, ['--version']);
  const venv = pyVersion ? await probeCommand(python, ['-c', 'import venv, ensurepip; print("ok")']) : undefined;
  const scope = (await readFile('/proc/sys/kernel/yama/ptrace_scope', 'utf8').catch(() => '0')).trim();
  const ptraceCap = root ? await hasPtraceCapability() : false;
  const pySpy = await findPySpy();
  const pins = await readFile(path.join(projectRoot, 'harness', 'tools', 'requirements.txt'), 'utf8').catch(() => '');
  const pySpyPin = /^py-spy==\S+/m.exec(pins)?.[0] ?? 'py-spy';
  return [
    { name: 'node >= 20.5', ok: nodeAtLeast(20, 5), detail: process.version, fix: 'install Node 20.5 or newer' },
    { name: 'python3', ok: Boolean(pyVersion), detail: pyVersion ? `${pyVersion} (${python})` : `${python} not found`, fix: 'install Python 3.10+ (Debian: apt-get install python3) or set HOLISTIC_PYTHON' },
    { name: 'python3 venv + ensurepip', ok: Boolean(venv), detail: venv ? 'ok' : 'missing', fix: 'Debian/Ubuntu: apt-get install python3-venv' },
    {
      name: 'py-spy',
      ok: Boolean(pySpy),
      detail: pySpy ?? 'not installed yet',
      fix: `the first run installs ${pySpyPin} into holistic's virtualenv (pip needs the package index); or pip install ${pySpyPin}`,
      required: false,
    },
    root
      ? {
          name: 'ptrace permission (py-spy attach)',
          ok: ptraceCap,
          detail: ptraceCap
            ? 'root with CAP_SYS_PTRACE'
            : `root without CAP_SYS_PTRACE: attaches only to dumpable processes of the same user (ptrace_scope=${scope})`,
          fix: 'run with CAP_SYS_PTRACE (a container: --cap-add SYS_PTRACE; do not drop it with setpriv/capsh)',
          // Same-user, dumpable apps (most) can still be profiled; a non-dumpable one fails with the reason.
          required: scope !== '0',
        }
      : {
          name: 'ptrace permission (py-spy attach)',
          ok: scope === '0',
          detail: `not root, kernel.yama.ptrace_scope=${scope}`,
          fix: 'run as root, or sysctl -w kernel.yama.ptrace_scope=0',
        },
    {
      name: 'own PID namespace for the app',
      ok: root && existsSync('/usr/bin/unshare'),
      detail: root ? (existsSync('/usr/bin/unshare') ? 'unshare, root' : 'no unshare') : 'not root: the app runs as a plain child',
      fix: 'run as root with util-linux installed (apt-get install util-linux)',
      required: false,
    },
  ];
}
