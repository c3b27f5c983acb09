/**
 * `holistic`: parse flags into options, call the same library the scenarios and tests use, print, and set the
 * exit code from the contract (0 pass, 1 verdict failed, 2 usage, 3 prerequisite, 4 run failed, 130 Ctrl-C).
 * No logic of its own.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { parseAppEnv } from './app.js';
import { percent } from './assert/verdict.js';
import { ExitCode, exitCodeOf, HolisticError } from './errors.js';
import type { ProgressOutput } from './progress.js';
import { targetNames } from './targets/index.js';
import { parsePort, portRange } from './targets/ports.js';
import { listScenarios, loadScenario } from './scenarios.js';
export { forceQuit } from './emergency.js';

// Each subcommand loads what it needs when it runs: `holistic --help` and `holistic list` must start fast, and
// only a run needs the load generators, the readers and the renderers (and only a cluster the Kubernetes client).

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** A terminal for live progress; without one, progress is plain lines through `err`. */
  tty?: ProgressOutput;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  tty: process.stderr.isTTY ? { write: (text) => process.stderr.write(text), isTTY: true, columns: process.stderr.columns } : undefined,
};

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds >= 0');
  return n;
}

interface CliRunFlags {
  target: string;
  duration?: number;
  out: string;
  appEnv: string[];
  engine?: string;
  toolsImage?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  node?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  keepCluster: boolean;
  baseline?: string;
  saveBaseline?: string;
  sampling: 'nonblocking' | 'blocking';
  flamegraph: boolean;
  unprofiled?: number;
  port?: number;
  pod?: string;
  selector?: string;
  deployment?: string;
  container?: string;
  load: boolean;
}

function portNumber(value: string): number {
  const port = parsePort(value);
  if (port === undefined) throw new InvalidArgumentError(`expected a port: ${portRange}`);
  return port;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a share between 0 and 1, e.g. 0.8');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}

function addInitCommand(program: Command, { io }: CommandContext): void {
  program
    .command('init')
    .description('add holistic to your repository: a scenario for your service, a vitest test (if you use vitest), a CI workflow')
    .requiredOption('--name <name>', 'your service, lowercase letters, digits and dashes')
    .option('--command <argv>', 'how to start it locally ({python}: holistic\'s Python; it gets PORT and HOST)', 'python -m app')
    .option('--port <n>', 'the port it listens on in its container', portNumber, 8000)
    .option('--image <image>', 'its image, for the container and Kubernetes targets')
    .option('--health-path <path>', 'a cheap path that answers 2xx once it is ready', '/healthz')
    .option('--load-path <path>', 'the path to put load on', '/')
    .option('--requirements <file>', 'pip requirements for the local run (relative to the repository)')
    .option('--dir <dir>', 'the repository', '.')
    .action(async (opts: { name: string; command: string; port: number; image?: string; healthPath: string; loadPath: string; requirements?: string; dir: string }) => {
      const { writeInit } = await import('./init.js');
      const written = await writeInit({ ...opts, dir: path.resolve(opts.dir) });
      for (const file of written) io.out(`wrote ${file}`);
      io.out(`next: npx holistic run holistic/${opts.name}.ts --target local`);
    });
}

function addDiffCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('diff')
    .description('compare two profiles taken anywhere (A = baseline, B = current): per-function self share change; exit 1 when one grew beyond the threshold')
    .argument('<a>', 'the baseline profile (py-spy raw, flame graph SVG or speedscope)')
    .argument('<b>', 'the current profile')
    .addOption(new Option('--threshold <points>', 'least growth of a self share, in percentage points, that fails').argParser((v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of percentage points >= 0');
      return n;
    }).default(1))
    .option('--json', 'print the result as JSON')
    .action(async (a: string, b: string, opts: { threshold: number; json?: boolean }) => {
      const { diffProfileFiles, formatDiff } = await import('./diff.js');
      const result = await diffProfileFiles(a, b, { thresholdPoints: opts.threshold });
      io.out(opts.json ? JSON.stringify(result, null, 2) : formatDiff(result));
      if (!result.verdict.pass) setExit(ExitCode.verdictFailed);
    });
}

/** What every subcommand's action gets: where to print, the Ctrl-C signal, and how to set the exit code. */
interface CommandContext {
  io: Io;
  signal: AbortSignal | undefined;
  argv: readonly string[];
  setExit(code: number): void;
}

function addRunCommand(program: Command, { io, signal, argv, setExit }: CommandContext): void {
  program
    .command('run')
    .description('run a scenario and write its report')
    .argument('<scenario>', 'a scenario name (see `holistic list`) or the path of your own scenario file')
    .addOption(new Option('--target <target>', 'where the app runs').choices(['auto', ...targetNames]).default('auto'))
    .option('--duration <seconds>', 'how long to load and profile', positiveNumber)
    .option('--out <dir>', 'where run folders are written', 'reports')
    .option('--port <n>', 'reach the app on 127.0.0.1:<n> (default: a free port the kernel picks)', portNumber)
    .option('--app-env <NAME=VALUE>', 'environment for the app (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addOption(new Option('--engine <engine>', 'container engine for --target container and kind (default: $HOLISTIC_ENGINE, else auto)').choices(['auto', 'podman', 'docker']))
    .option('--tools-image <image>', 'debug-tools image (container and Kubernetes targets)')
    .option('--kubeconfig <file>', 'kubeconfig for --target kube (default $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context for --target kube')
    .option('--namespace <name>', 'existing namespace to use (default: a fresh holistic-<id>, deleted at the end)')
    .option('--node <name>', 'pin the app pod to this node (clusters without a scheduler)')
    .addOption(new Option('--image-pull-policy <policy>', 'for the app and debug images (default Never for localhost/ images)').choices(['Always', 'IfNotPresent', 'Never']))
    .option('--no-keep-cluster', 'kind/k3d: delete the cluster at the end if this run created it (default: keep it for reuse)')
    .addOption(new Option('--baseline <file>', 'compare against this baseline: a regression fails the run (exit 1)').conflicts('saveBaseline'))
    .option('--save-baseline <file>', 'write this run as a baseline when it passes')
    .addOption(new Option('--sampling <mode>', 'py-spy sampling: nonblocking reads the app without pausing it').choices(['nonblocking', 'blocking']).default('nonblocking'))
    .option('--no-flamegraph', 'one py-spy sampler (raw counts) instead of two (raw + flame graph SVG)')
    .option('--unprofiled <seconds>', 'unprofiled load before the profiled phase, for the observer effect (0: skip)', nonNegativeNumber)
    .option('--pod <name>', 'kube: profile this running pod (nothing of the app is created or restarted)')
    .option('--selector <k=v>', 'kube: profile every running pod with these labels')
    .option('--deployment <name>', 'kube: profile every pod of this Deployment')
    .option('--container <name>', 'kube: the app\'s container in a multi-container pod')
    .option('--no-load', 'with --pod/--selector/--deployment: apply no load, observe the traffic the workload already gets')
    .action(async (name: string, opts: CliRunFlags) => {
      let appEnv: Record<string, string>;
      try {
        appEnv = parseAppEnv(opts.appEnv);
      } catch (error) {
        throw new HolisticError((error as Error).message, ExitCode.usage);
      }
      if (!opts.load && !(opts.pod || opts.selector || opts.deployment)) throw new HolisticError('--no-load goes with --pod, --selector or --deployment (a running workload)', ExitCode.usage);
      const scenario = await loadScenario(name);
      const [{ runScenario }, { createProgress }, { printOutcome }] = await Promise.all([import('./run.js'), import('./progress.js'), import('./cli-print.js')]);
      const progress = createProgress(io.tty, io.err);
      const outcome = await runScenario(scenario, {
        target: opts.target,
        durationS: opts.duration,
        outDir: opts.out,
        appEnv,
        engine: opts.engine,
        toolsImage: opts.toolsImage,
        kubeconfig: opts.kubeconfig,
        context: opts.context,
        namespace: opts.namespace,
        nodeName: opts.node,
        imagePullPolicy: opts.imagePullPolicy,
        keepCluster: opts.keepCluster,
        baseline: opts.baseline,
        saveBaseline: opts.saveBaseline,
        sampling: opts.sampling,
        flamegraph: opts.flamegraph,
        unprofiledS: opts.unprofiled,
        port: opts.port,
        workload: opts.pod || opts.selector || opts.deployment
          ? { pod: opts.pod, selector: opts.selector, deployment: opts.deployment, container: opts.container, namespace: opts.namespace, noLoad: !opts.load }
          : undefined,
        commandLine: ['holistic', ...argv.slice(2)],
        signal,
        log: (line) => progress.log(line),
        onPhase: (event) => progress.onPhase(event),
      }).finally(() => progress.stop());
      printOutcome(io, outcome, opts.out);
      setExit(outcome.exitCode);
    });
}

function addListCommand(program: Command, { io, signal, setExit }: CommandContext): void {
  program
    .command('list')
    .description('list the scenarios')
    .action(async () => {
      for (const s of await listScenarios()) io.out(`${s.name.padEnd(20)} ${s.description}`);
    });
}

function addInspectCommand(program: Command, { io, signal, setExit }: CommandContext): void {
  program
    .command('inspect')
    .description('read a profile taken anywhere (py-spy raw, flame graph SVG, speedscope) and print its hotspots')
    .argument('<profile>', 'the profile file; its format is read from its content')
    .addOption(new Option('--top <n>', 'how many hotspots to list').argParser(positiveInteger).default(10))
    .option('--expect-hotspot <function>', 'fail (exit 1) unless this function ranks first by self share')
    .addOption(new Option('--min-share <fraction>', 'with --expect-hotspot: its least self share, 0..1').argParser(fraction).default(0.5))
    .option('--file-root <dir>', 'speedscope: strip this source root from absolute file paths (repeatable)', collect, [])
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { top: number; expectHotspot?: string; minShare: number; fileRoot: string[]; json?: boolean }) => {
      const [{ inspectProfile }, { formatVerdict }] = await Promise.all([import('./inspect.js'), import('./assert/format.js')]);
      const result = await inspectProfile(file, { top: opts.top, expectHotspot: opts.expectHotspot, minShare: opts.minShare, fileRoots: opts.fileRoot });
      if (opts.json) io.out(JSON.stringify(result, null, 2));
      else {
        io.out(`${file}: ${result.format}, ${result.samples} samples`);
        result.hotspots.forEach((h, i) => {
          io.out(`${String(i + 1).padStart(3)}. ${percent(h.self).padStart(6)} self ${percent(h.total).padStart(6)} total  ${h.name}${h.file ? ` (${h.file})` : ''}`);
        });
        if (result.verdict) io.out(formatVerdict(result.verdict));
      }
      if (result.verdict && !result.verdict.pass) setExit(ExitCode.verdictFailed);
    });
}

function addDownCommand(program: Command, { io, signal, setExit }: CommandContext): void {
  program
    .command('down')
    .description('remove what killed runs left behind, and delete the kind cluster (KIND_CLUSTER, default kind) or k3d cluster (K3D_CLUSTER) that runs reuse')
    .option('--kubeconfig <file>', 'kubeconfig whose leftovers to look for (default $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .action(async (opts: { kubeconfig?: string; context?: string }) => {
      const say = (line: string) => io.err(`holistic: ${line}`);
      const { removeLeftovers } = await import('./leftovers.js');
      const removed = await removeLeftovers(opts, say);
      if (removed.length === 0) say('no leftovers of killed runs');
      const { deleteCluster } = await import('./targets/kind.js');
      await deleteCluster(say, signal);
    });
}

function addDoctorCommand(program: Command, { io, signal, setExit }: CommandContext): void {
  program
    .command('doctor')
    .description('check what each target needs on this machine, with a fix for each missing piece')
    .addOption(new Option('--target <target>', 'check one target (default: all; exit 0 when any is usable)').choices([...targetNames]))
    .addOption(new Option('--engine <engine>', 'container engine to check (default: $HOLISTIC_ENGINE, else auto)').choices(['auto', 'podman', 'docker']))
    .option('--kubeconfig <file>', 'kubeconfig for the kube target')
    .option('--context <name>', 'kubeconfig context for the kube target')
    .action(async (opts: { target?: string; engine?: string; kubeconfig?: string; context?: string }) => {
      const [{ doctor, formatDoctor }, { removeLeftovers }] = await Promise.all([import('./doctor.js'), import('./leftovers.js')]);
      const reports = await doctor(opts);
      io.out(formatDoctor(reports));
      await removeLeftovers(opts, (line) => io.err(`holistic: ${line}`));
      setExit(reports.some((r) => r.usable) ? ExitCode.pass : ExitCode.prerequisite);
    });
}

export async function main(argv: readonly string[], io: Io = defaultIo, signal?: AbortSignal): Promise<number> {
  let exitCode: number = ExitCode.pass;
  const program = new Command('holistic')
    .description('Load-and-profile scenarios for Python services, debugged from a second container the kubectl debug way.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError();
  const context: CommandContext = { io, signal, argv, setExit: (code) => (exitCode = code) };
  for (const add of [addRunCommand, addListCommand, addInspectCommand, addDiffCommand, addDownCommand, addDoctorCommand, addInitCommand]) add(program, context);

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? ExitCode.pass : ExitCode.usage;
    }
    io.err(`holistic: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodeOf(error);
  }
}
