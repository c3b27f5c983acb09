/**
 * `holistic doctor [--target T]`: what each target needs, checked on this machine, each missing piece with how
 * to get it. A check is `required` (the target cannot run without it) or advisory (a run still works: the
 * harness builds or installs it on first use, or it only serves the by-hand commands). A target is usable when
 * every required check holds; the CLI exits 0 for a usable target, 3 otherwise.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './exec.js';
import { cacheDir, projectRoot } from './paths.js';
import { basePython } from './python-env.js';
import { detectEngine, projectContainersConf, type Engine } from './targets/engine.js';
import { defaultToolsImage, imageId } from './targets/images.js';
import { connect, serverVersion } from './targets/kube/client.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** Default true. An advisory check that fails is reported but leaves the target usable. */
  required?: boolean;
}

export type DoctorTarget = 'local' | 'container' | 'kube' | 'kind';
export const doctorTargets: readonly DoctorTarget[] = ['local', 'container', 'kube', 'kind'];

export interface TargetReport {
  target: DoctorTarget;
  usable: boolean;
  checks: Check[];
}

export interface DoctorOptions {
  /** One target, or all of them. */
  target?: DoctorTarget;
  engine?: string;
  kubeconfig?: string;
  context?: string;
}

const appImage = 'localhost/badapp:latest';

async function probeCommand(file: string, args: string[], env?: Record<string, string>): Promise<string | undefined> {
  try {
    const r = await run(file, args, { timeoutMs: 15_000, reject: false, env });
    return r.exitCode === 0 ? (r.stdout + r.stderr).trim().split('\n')[0] : undefined;
  } catch {
    return undefined;
  }
}

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

async function localChecks(): Promise<Check[]> {
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

async function engineChecks(engine: Engine | Error, options: { imagesRequired: boolean }): Promise<Check[]> {
  if (engine instanceof Error) {
    return [{ name: 'container engine', ok: false, detail: engine.message.split(':')[0]!, fix: 'apt-get install podman runc (or docker.io with a running daemon)' }];
  }
  const checks: Check[] = [{ name: 'container engine', ok: true, detail: engine.version }];
  if (engine.name === 'podman') {
    const info = await engine.run(['info', '--format', '{{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}} cgroups {{.Host.CgroupsVersion}}'], { reject: false, timeoutMs: 30_000 });
    const conf = process.env.HOLISTIC_CONTAINERS_CONF ?? projectContainersConf;
    checks.push({
      name: 'podman settings',
      ok: info.exitCode === 0 && existsSync(conf),
      detail: info.exitCode === 0 ? `${info.stdout.trim()} (CONTAINERS_CONF=${path.relative(process.cwd(), conf) || conf})` : info.stderr.trim().split('\n')[0] ?? 'podman info failed',
      fix: `keep ${path.relative(projectRoot, projectContainersConf)} (runc, cgroupfs, lower ulimits) or point HOLISTIC_CONTAINERS_CONF at your own`,
    });
  }
  const buildable = engine.name === 'podman' && existsSync(path.join(projectRoot, 'hack', 'images', 'build'));
  for (const image of [appImage, defaultToolsImage]) {
    const id = await imageId(engine, image);
    checks.push({
      name: `image ${image}`,
      ok: Boolean(id),
      detail: id ? id.replace(/^sha256:/, '').slice(0, 12) : 'missing',
      fix: buildable ? 'hack/images/build (offline; a run also builds it on first use)' : `build it and load it into ${engine.name} (make -C app build)`,
      // podman builds the project's images on first use; anything else must have them already.
      required: options.imagesRequired && !buildable,
    });
  }
  return checks;
}

async function kubeChecks(options: DoctorOptions): Promise<Check[]> {
  const kubectl = await probeCommand('kubectl', ['version', '--client']);
  const checks: Check[] = [
    {
      name: 'kubectl',
      ok: Boolean(kubectl),
      detail: kubectl ?? 'not on PATH',
      fix: 'install kubectl: only the report\'s "by hand" commands need it (the harness talks to the API itself)',
      required: false,
    },
  ];
  // Without any kubeconfig client-node falls back to http://localhost:8080: say what is really missing.
  const defaultConfig = path.join(process.env.HOME ?? '/root', '.kube', 'config');
  if (!options.kubeconfig && !process.env.KUBECONFIG && !existsSync(defaultConfig) && !process.env.KUBERNETES_SERVICE_HOST) {
    checks.push({
      name: 'kubeconfig',
      ok: false,
      detail: `none: no --kubeconfig, no KUBECONFIG, no ${defaultConfig}`,
      fix: 'set KUBECONFIG or pass --kubeconfig/--context (in this repository: hack/local-cluster/up prints one)',
    });
    return checks;
  }
  let client: ReturnType<typeof connect>;
  try {
    client = connect({ kubeconfig: options.kubeconfig, context: options.context });
    checks.push({ name: 'kubeconfig', ok: true, detail: `context ${client.context} → ${client.server}` });
  } catch (error) {
    checks.push({
      name: 'kubeconfig',
      ok: false,
      detail: (error as Error).message.split('\n')[0]!,
      fix: 'set KUBECONFIG or pass --kubeconfig/--context (in this repository: hack/local-cluster/up prints one)',
    });
    return checks;
  }
  try {
    const version = await serverVersion(client);
    checks.push({ name: 'cluster reachable', ok: true, detail: `Kubernetes ${version}` });
  } catch (error) {
    checks.push({ name: 'cluster reachable', ok: false, detail: (error as Error).message.split('\n')[0]!, fix: 'start the cluster (kind create cluster; here: hack/local-cluster/up) or fix the context' });
    return checks;
  }
  try {
    const nodes = await client.core.listNode();
    const onNodes = new Set(nodes.items.flatMap((n) => (n.status?.images ?? []).flatMap((i) => i.names ?? [])));
    for (const image of [appImage, defaultToolsImage]) {
      const present = onNodes.has(image) || onNodes.has(image.replace(/^localhost\//, 'docker.io/'));
      checks.push({
        name: `image ${image} on the nodes`,
        ok: present,
        detail: present ? `on ${nodes.items.length} node(s)` : `not reported by any of ${nodes.items.length} node(s)`,
        fix: 'load it into the cluster (make -C app load; kind load docker-image; the kind target loads it itself)',
        // Nodes list only some images in their status; a run fails clearly if one is really missing.
        required: false,
      });
    }
  } catch (error) {
    checks.push({ name: 'list nodes', ok: false, detail: (error as Error).message.split('\n')[0]!, fix: 'the kubeconfig user needs get/list on nodes (cluster-admin in a test cluster)', required: false });
  }
  return checks;
}

async function kindChecks(engine: Engine | Error): Promise<Check[]> {
  const kind = await probeCommand('kind', ['version']);
  const k3d = await probeCommand('k3d', ['version']);
  return [
    {
      name: 'kind or k3d',
      ok: Boolean(kind ?? k3d),
      detail: [kind, k3d].filter(Boolean).join('; ') || 'neither is on PATH',
      fix: 'install kind (go install sigs.k8s.io/kind@latest) or k3d; kind needs docker or podman and its node image',
    },
    ...(await engineChecks(engine, { imagesRequired: true })),
  ];
}

export async function doctor(options: DoctorOptions = {}): Promise<TargetReport[]> {
  const wanted = options.target ? [options.target] : doctorTargets;
  const needsEngine = wanted.some((t) => t === 'container' || t === 'kind');
  const engine = needsEngine ? await detectEngine(options.engine).catch((error: Error) => error) : new Error('not checked');
  const reports: TargetReport[] = [];
  for (const target of wanted) {
    const checks =
      target === 'local' ? await localChecks()
      : target === 'container' ? await engineChecks(engine, { imagesRequired: true })
      : target === 'kube' ? await kubeChecks(options)
      : await kindChecks(engine);
    reports.push({ target, checks, usable: checks.every((c) => c.ok || c.required === false) });
  }
  return reports;
}

export function formatDoctor(reports: readonly TargetReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.target} target: ${r.usable ? 'usable' : 'NOT usable'}`);
    for (const c of r.checks) {
      const mark = c.ok ? 'ok  ' : c.required === false ? 'note' : 'MISS';
      lines.push(`  ${mark} ${c.name.padEnd(40)} ${c.detail}`);
      if (!c.ok && c.fix) lines.push(`       ${''.padEnd(40)} fix: ${c.fix}`);
    }
  }
  return lines.join('\n');
}
