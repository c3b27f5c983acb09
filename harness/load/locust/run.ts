/**
 * Locust as a distributed load generator: one headless master and N worker processes on this machine (the
 * local and container targets), for the scenario's duration. Locust is installed by holistic in a cached
 * virtualenv (locust-requirements.txt). Every process carries the run's ownership env (owner.ts) and is stopped
 * on success, failure and abort; a force quit kills them through spawnBackground's emergency hook.
 *
 * Results come from each worker's own record (holistic_locust.py), merged exactly (merge.ts). A worker that dies
 * mid-run or never connects fails the run (exit 4) naming the worker and its log.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InterruptedError, RunError } from '../../errors.js';
import { spawnBackground, type BackgroundProcess } from '../../exec.js';
import { ownerEnv, ownerText, runEnv } from '../../owner.js';
import { ensurePythonEnv } from '../../python-env.js';
import net from 'node:net';
import { processCpuS } from '../cpu.js';
import type { RequestKind } from '../mix.js';
import { locustfile } from './locustfile.js';
import { summarizeLocust, type WorkerRecord } from './summary.js';
import type { LoadResult } from '../types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The .py and requirements live beside the sources (also in dist/: package.json `files`). */
const sourceDir = existsSync(path.join(here, 'holistic_locust.py')) ? here : path.join(here, '..', '..', '..', '..', 'harness', 'load', 'locust');
export const locustRequirements = path.join(sourceDir, 'locust-requirements.txt');

export interface LocustOptions {
  /** The app's base URL (scheme://host:port). */
  host: string;
  kinds: readonly RequestKind[];
  workers: number;
  /** Locust users over all workers (the connections). */
  users: number;
  durationS: number;
  rate?: number;
  /** A user-supplied locustfile instead of the generated one (holistic's recorder is loaded beside it). */
  locustfile?: string;
  /** Where the locustfile, the processes' logs and the workers' records go (a locust-<time> folder in it). */
  scratchDir: string;
  runId?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Seconds to wait for the workers to connect before the run fails (default 30, or HOLISTIC_LOCUST_CONNECT_TIMEOUT_S). */
  connectTimeoutS?: number;
}

export const connectTimeout = (o: Pick<LocustOptions, 'connectTimeoutS'>) => o.connectTimeoutS ?? (Number(process.env.HOLISTIC_LOCUST_CONNECT_TIMEOUT_S) || 30);

interface Started {
  name: string;
  log: string;
  process: BackgroundProcess;
  cpuS: number;
}

export async function runLocust(options: LocustOptions): Promise<LoadResult> {
  const python = await ensurePythonEnv([locustRequirements], { signal: options.signal, log: options.log });
  const dir = path.join(options.scratchDir, `locust-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const file = options.locustfile ?? path.join(dir, 'locustfile.py');
  if (!options.locustfile) await writeFile(file, locustfile({ kinds: options.kinds, users: options.users, rate: options.rate, pluginDir: sourceDir }));
  const files = options.locustfile ? `${file},${path.join(sourceDir, 'holistic_locust.py')}` : file;
  const port = await freePort();
  const env = { [runEnv]: options.runId ?? 'adhoc', [ownerEnv]: ownerText(), HOLISTIC_LOCUST_OUT: dir, PYTHONUNBUFFERED: '1' };
  const locust = path.join(python.bin, 'locust');
  const started: Started[] = [];
  const start = (name: string, args: string[]) => {
    const p: Started = { name, log: path.join(dir, `${name}.log`), process: spawnBackground(locust, ['-f', files, ...args], { env: { ...env, ...(name === 'master' ? {} : { HOLISTIC_LOCUST_WORKER: name }) }, cwd: dir }), cpuS: 0 };
    started.push(p);
    return p;
  };
  const cpuSampler = setInterval(() => void sampleCpu(started), 500);
  try {
    const master = start('master', masterArgs(options, port));
    for (let i = 1; i <= options.workers; i++) {
      // Failpoint for the fault tests (as HOLISTIC_PAUSE_AT): this worker is sent to a port nobody listens on.
      const unreachable = process.env.HOLISTIC_LOCUST_UNREACHABLE_WORKER === `worker-${i}`;
      start(`worker-${i}`, ['--worker', '--master-host', '127.0.0.1', '--master-port', String(unreachable ? await freePort() : port)]);
    }
    options.log?.(`locust: master and ${options.workers} workers on 127.0.0.1:${port}, logs in ${dir}`);
    await supervise(master, started.slice(1), dir, options);
    await sampleCpu(started);
    const records = await Promise.all(started.slice(1).map(async (w) => JSON.parse(await readFile(path.join(dir, `${w.name}.json`), 'utf8')) as WorkerRecord));
    const cpuS = started.reduce((s, p) => s + p.cpuS, 0);
    return summarizeLocust(records, { url: options.host, users: options.users, durationS: options.durationS, rate: options.rate, loadgenCpuS: cpuS, logs: Object.fromEntries(started.map((p) => [p.name, p.log])) });
  } finally {
    clearInterval(cpuSampler);
    await Promise.all(started.map((p) => p.process.stop(3000)));
    await Promise.all(started.map((p) => writeFile(p.log, p.process.output()).catch(() => undefined)));
  }
}

/** A free port on 127.0.0.1 for the master (the kernel picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().unref().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function masterArgs(options: LocustOptions, port: number): string[] {
  return ['--master-bind-host', '127.0.0.1', '--master-bind-port', String(port), ...masterRunArgs(options, options.host)];
}

/** The master's run: headless, waits for every worker (or gives up), the scenario's users for its duration. */
export function masterRunArgs(options: LocustOptions, host: string): string[] {
  return [
    '--master', '--headless',
    '--expect-workers', String(options.workers), '--expect-workers-max-wait', String(connectTimeout(options)),
    '--users', String(options.users), '--spawn-rate', String(options.users),
    '--run-time', `${options.durationS}s`, '--stop-timeout', '0',
    '--host', host, '--only-summary', '--loglevel', 'INFO',
  ];
}

async function sampleCpu(started: Started[]): Promise<void> {
  for (const p of started) {
    const cpu = await processCpuS(p.process.pid);
    if (cpu !== undefined) p.cpuS = Math.max(p.cpuS, cpu);
  }
}

/**
 * Wait for the master to end the run; fail at once when a worker exits without its record (killed, crashed)
 * or when the master gave up waiting for workers (naming those that never started).
 */
async function supervise(master: Started, workers: Started[], dir: string, options: LocustOptions): Promise<void> {
  const recorded = (w: Started) => existsSync(path.join(dir, `${w.name}.json`));
  const died = workers.map((w) =>
    w.process.exited.then(async (exit) => {
      await new Promise((r) => setTimeout(r, 200)); // the record is renamed into place just before the exit
      if (!recorded(w)) return { worker: w, exit };
      return undefined;
    }),
  );
  const aborted = new Promise<'aborted'>((resolve) => {
    if (options.signal?.aborted) resolve('aborted');
    options.signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const firstDeath = Promise.race(died.map((d) => d.then((x) => x ?? new Promise<never>(() => undefined))));
  const timeoutMs = ((connectTimeout(options)) + options.durationS + 60) * 1000;
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  const outcome = await Promise.race([master.process.exited.then((exit) => ({ master: exit })), firstDeath, aborted, timer]);
  if (outcome === 'aborted') throw new InterruptedError('interrupted during the Locust load');
  if (outcome === 'timeout') throw new RunError(`the Locust master did not end the run within ${timeoutMs / 1000} s; its log: ${master.log}`);
  if ('worker' in outcome) throw workerDied(outcome.worker, outcome.exit);
  if (/Gave up waiting for workers/.test(master.process.output())) {
    const missing = workers.filter((w) => !existsSync(path.join(dir, `${w.name}.connected`)));
    throw new RunError(`Locust worker${missing.length > 1 ? 's' : ''} ${missing.map((w) => `${w.name} (log: ${w.log})`).join(', ')} never connected to the master within ${connectTimeout(options)} s; master log: ${master.log}`);
  }
  // The master quit: the workers got "quit" and write their records; one that does not, died.
  await Promise.race([Promise.all(workers.map((w) => w.process.exited)), new Promise((r) => setTimeout(r, 15_000).unref())]);
  for (const [i, w] of workers.entries()) {
    const death = await Promise.race([died[i]!, Promise.resolve(undefined)]);
    if (death || !recorded(w)) throw workerDied(w, death?.exit);
  }
}

function workerDied(w: Started, exit: { exitCode: number | undefined; signal: string | undefined } | undefined): RunError {
  const how = exit?.signal ? `was killed (${exit.signal})` : exit ? `exited with code ${exit.exitCode}` : 'did not exit';
  return new RunError(`Locust ${w.name} ${how} before the end of the run, without its results; its log: ${w.log}`);
}
