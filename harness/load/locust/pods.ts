/**
 * Locust in the app's cluster (the kube and kind targets): a master pod and N worker pods next to the app, the
 * locustfile as a ConfigMap, the workers pointed at the master's pod IP and the load at the app's pod IP, so no
 * request goes through the port-forward. The image is holistic's Locust image (hack/images/build --only locust;
 * HOLISTIC_LOCUST_IMAGE to use another with the same layout).
 *
 * A pod's filesystem is gone once it completes, so each worker prints its record (holistic_locust.py,
 * HOLISTIC_LOCUST_PRINT) and holistic reads it from the log; every pod's log is saved in the run folder before
 * the pod is deleted. A worker pod that fails, or never connects, is exit 4 naming it and its log.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedError, PrerequisiteError, RunError } from '../../errors.js';
import type { LoadResult, PodLauncher, SidePod } from '../types.js';
import { locustfile } from './locustfile.js';
import { connectTimeout, masterRunArgs, type LocustOptions } from './run.js';
import { summarizeLocust, type WorkerRecord } from './summary.js';

export const defaultLocustImage = 'localhost/holistic-locust:latest';
export const locustImage = (env: NodeJS.ProcessEnv = process.env) => env.HOLISTIC_LOCUST_IMAGE || defaultLocustImage;

/** Where the image keeps holistic's recorder (hack/images/locust/Dockerfile). */
const pluginDir = '/opt/holistic';
const masterPort = 5557;
const recordPrefix = 'HOLISTIC_LOCUST_RECORD ';

interface Started {
  /** worker-N or master: the name in the report. */
  role: string;
  pod: SidePod;
  /** The pod's log saved in the run folder. */
  log: string;
}

export async function runLocustPods(options: Omit<LocustOptions, 'host'>, pods: PodLauncher, reason: string): Promise<LoadResult> {
  const id = `locust-${randomBytes(3).toString('hex')}`;
  const dir = path.join(options.scratchDir, id);
  await mkdir(dir, { recursive: true });
  const image = locustImage();
  const text = options.locustfile ? await readFile(options.locustfile, 'utf8') : locustfile({ kinds: options.kinds, users: options.users, rate: options.rate, pluginDir });
  await writeFile(path.join(dir, 'locustfile.py'), text);
  await pods.files(id, { 'locustfile.py': text });
  // A user's locustfile does not import the recorder: load it beside it, as the local runner does.
  const files = options.locustfile ? `/locust/locustfile.py,${pluginDir}/holistic_locust.py` : '/locust/locustfile.py';
  const mounts = [{ files: id, path: '/locust' }];
  const started: Started[] = [];
  const start = async (role: string, args: string[], env: Record<string, string>) => {
    // Workers spread over the nodes where the scheduler can: each brings its own cores.
    const spreadGroup = role === 'master' ? undefined : `${id}-workers`;
    const pod = await pods
      .start({ name: `${id}-${role}`, image, args: ['-f', files, ...args], env: { HOLISTIC_LOCUST_OUT: '/out', PYTHONUNBUFFERED: '1', ...env }, mounts, scratch: '/out', spreadGroup })
      .catch((error: unknown) => {
        if (!(error instanceof PrerequisiteError) || !/ErrImage|ImagePull/.test(error.message)) throw error;
        throw new PrerequisiteError(
          `${error.message}\nThe Locust image ${image} must be on the cluster's nodes: build it with \`hack/images/build --only locust\` and load it ` +
            '(kind load docker-image, or hack/local-cluster/load-image here), or point HOLISTIC_LOCUST_IMAGE at one the nodes can pull.',
          { cause: error },
        );
      });
    const s = { role, pod, log: path.join(dir, `${role}.log`) };
    started.push(s);
    return s;
  };
  try {
    const master = await start('master', masterRunArgs({ ...options, host: pods.appUrl }, pods.appUrl), {});
    options.log?.(`locust: in the cluster: pods ${master.pod.name} and ${options.workers} worker${options.workers === 1 ? '' : 's'} in namespace ${pods.namespace}, load on ${pods.appUrl}, logs in ${dir}`);
    const workers = await Promise.all(
      Array.from({ length: options.workers }, (_, i) => {
        const role = `worker-${i + 1}`;
        // Failpoint for the fault tests (as on local): this worker is sent to a port nobody listens on.
        const port = process.env.HOLISTIC_LOCUST_UNREACHABLE_WORKER === role ? masterPort + 1 : masterPort;
        return start(role, ['--worker', '--master-host', master.pod.ip, '--master-port', String(port)], { HOLISTIC_LOCUST_WORKER: role, HOLISTIC_LOCUST_PRINT: '1' });
      }),
    );
    await supervise(master, workers, options);
    const records: WorkerRecord[] = [];
    for (const w of workers) {
      const line = (await w.pod.logs()).split('\n').find((l) => l.startsWith(recordPrefix));
      if (!line) throw workerFailed(w, await w.pod.state().catch(() => undefined));
      records.push(JSON.parse(line.slice(recordPrefix.length)) as WorkerRecord);
    }
    const load = summarizeLocust(records, { url: pods.appUrl, users: options.users, durationS: options.durationS, rate: options.rate, logs: Object.fromEntries(started.map((s) => [s.role, s.log])) });
    return { ...load, in_cluster: { namespace: pods.namespace, app_url: pods.appUrl, reason } };
  } finally {
    // Logs first (the pods' output is the only trace once they are gone), then the pods themselves.
    await Promise.all(started.map(async (s) => writeFile(s.log, await s.pod.logs().catch(() => '')).catch(() => undefined)));
    await Promise.all(started.map((s) => s.pod.remove().catch(() => undefined)));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ended = (phase: string) => phase === 'Succeeded' || phase === 'Failed' || phase === 'Gone';

/**
 * Poll the pods until the master ends the run: a worker pod that ends before the master did is a dead worker;
 * a master that gave up waiting names the workers that never said they connected.
 */
async function supervise(master: Started, workers: Started[], options: Omit<LocustOptions, 'host'>): Promise<void> {
  const deadline = Date.now() + (connectTimeout(options) + options.durationS + 90) * 1000;
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError('interrupted during the Locust load');
    if (Date.now() > deadline) throw new RunError(`the Locust master pod ${master.pod.name} did not end the run in time; read its log with ${master.pod.logsCommand}`);
    const m = await master.pod.state();
    if (ended(m.phase)) break;
    for (const w of workers) {
      const state = await w.pod.state();
      // A worker may finish just before the master pod does (it quits first); without its record it died.
      if (ended(state.phase) && (state.phase !== 'Succeeded' || !(await w.pod.logs()).includes(recordPrefix))) throw workerFailed(w, state);
    }
    await sleep(1000);
  }
  const log = await master.pod.logs();
  if (/Gave up waiting for workers/.test(log)) {
    const missing: Started[] = [];
    for (const w of workers) if (!(await w.pod.logs()).includes(`HOLISTIC_LOCUST_CONNECTED ${w.role}`)) missing.push(w);
    throw new RunError(
      `Locust ${missing.length > 1 ? 'workers' : 'worker'} ${missing.map((w) => `${w.role} (pod ${w.pod.name}, log: ${w.log}; ${w.pod.logsCommand})`).join(', ')} never connected to the master within ${connectTimeout(options)} s; master log: ${master.log}`,
    );
  }
  // The master quit: the workers get "quit", print their records and end.
  const until = Date.now() + 30_000;
  for (const w of workers) {
    while (!ended((await w.pod.state()).phase) && Date.now() < until) await sleep(500);
  }
}

function workerFailed(w: Started, state: { phase: string; exitCode?: number; reason?: string } | undefined): RunError {
  // A deleted pod (an eviction, a node drained, someone's `kubectl delete`) takes its log with it.
  if (state?.phase === 'Gone') return new RunError(`Locust ${w.role} (pod ${w.pod.name}) was deleted before the end of the run, without its results (its log went with it)`);
  const how = state ? `ended (${state.phase}${state.exitCode !== undefined ? `, exit code ${state.exitCode}` : ''}${state.reason ? `, ${state.reason}` : ''})` : 'could not be read';
  return new RunError(`Locust ${w.role} (pod ${w.pod.name}) ${how} before the end of the run, without its results; its log: ${w.log} (${w.pod.logsCommand} while the run lasts)`);
}
