/**
 * One load phase with everything the gate and the observer-effect check need: the summary (LoadResult), the
 * per-second / per-request series, and whether the load generator was the bottleneck. Dispatches on the
 * generator (autocannon by default, k6 when a scenario asks for it).
 */
import { runLoad, summarizeLoad } from './autocannon.js';
import { cpuWindow, waitIdle, type AppCpu } from './cpu.js';
import { runK6 } from './k6.js';
import { measureLocust } from './locust/measure.js';
import { runMix, type RequestKind } from './mix.js';
import { runConnectionPerRequest } from './per-connection.js';
import { ResponseRecorder, type LoadSeries } from './responses.js';
import type { LoadResult, RequestShape } from './types.js';

export interface LoadPlan extends RequestShape {
  url: string;
  durationS: number;
  connections: number;
  generator: 'autocannon' | 'k6' | 'locust';
  /** Locust only: worker processes (default 1), a user-supplied locustfile, the run id for ownership. */
  workers?: number;
  locustfile?: string;
  runId?: string;
  /** The app's own served-requests counter (AppSpec.servedPath): the generator's count is checked against it. */
  servedPath?: string;
  log?: (line: string) => void;
  /** Where generator processes' logs and records are kept (the run folder), else scratchDir. */
  logDir?: string;
  /** k6 only: the script (TypeScript or JavaScript). */
  k6Script?: string;
  /** k6 only: where its handleSummary JSON is written. */
  scratchDir: string;
  signal?: AbortSignal;
  /** Where the app's CPU time is read (its host process, or /proc through the debug session). */
  appCpu?: AppCpu;
  /** The app closes the connection after each response: a new connection per request (per-connection.ts). */
  connectionPerRequest?: boolean;
  /** A mix of request kinds instead of one request: `url` is then the app's base URL (load/mix.ts). */
  mix?: RequestKind[];
  /** Open loop at this many requests per second (all connections). */
  rate?: number;
  /** Seconds of the same load first, not measured (caches, JIT, pools warm). */
  warmupS?: number;
  /** Locust: its master and workers as pods next to the app instead of processes here, and why (locust/pods.ts). */
  inCluster?: { pods: import('./types.js').PodLauncher; reason: string };
}

export interface Measured {
  load: LoadResult;
  /** For k6 only the CPU window (its end-of-test summary has no per-request samples). */
  series: LoadSeries | undefined;
  /** A warning when the load generator itself was the bottleneck. */
  saturation: string | undefined;
  /** A warning when other processes took a large share of the machine meanwhile. */
  contention: string | undefined;
}

/** autocannon runs on one thread: past this share of a core, it rather than the app may set the pace. */
export const SATURATED_CPU = 0.85;

export async function measureLoad(plan: LoadPlan): Promise<Measured> {
  // A warm-up is a separate load before the measured one (as autocannon's own warmup): nothing of it is counted.
  if (plan.warmupS && plan.generator === 'autocannon' && !plan.connectionPerRequest) {
    await runLoad({ url: plan.mix?.length ? plan.url + plan.mix[0]!.path : plan.url, method: plan.method, headers: plan.headers, body: plan.body, connections: plan.connections, rate: plan.rate, durationS: plan.warmupS, signal: plan.signal, recorder: new ResponseRecorder() });
  }
  // The app's CPU is counted from idle to idle, so every request sent is in it whole (see cpu.ts).
  if (plan.appCpu) await waitIdle(plan.appCpu, 30_000, plan.signal);
  const endCpu = await cpuWindow(plan.appCpu);
  if (plan.generator === 'locust') {
    const { load, series } = await measureLocust(plan, endCpu);
    return { load, series, saturation: workerSaturation(load), contention: contentionWarning(load.others_cores) };
  }
  if (plan.generator === 'k6') {
    const load = await runK6({ script: plan.k6Script!, url: plan.url, durationS: plan.durationS, vus: plan.connections, scratchDir: plan.scratchDir, signal: plan.signal });
    const idle = plan.appCpu ? await waitIdle(plan.appCpu, 30_000, plan.signal) : false;
    const cpu = await endCpu();
    // k6 lets running iterations finish (gracefulStop), so its request count is what the app worked on; its
    // summary has no per-request latencies, so only CPU per request and hotspots compare against a baseline.
    const series: LoadSeries | undefined =
      cpu.appCpuS !== undefined && idle && load.requests > 0
        ? { per_second: [], latencies_ms: [], latencies_seen: 0, app_cpu_s: round(cpu.appCpuS), requests_sent: load.requests }
        : undefined;
    if (series) load.app_cpu_ms_per_request = round((cpu.appCpuS! * 1000) / load.requests);
    return { load, series, saturation: undefined, contention: contentionWarning(cpu.othersCores) };
  }
  const recorder = new ResponseRecorder();
  if (plan.connectionPerRequest) {
    const load = await runConnectionPerRequest({ ...plan, recorder });
    if (plan.appCpu) await waitIdle(plan.appCpu, 30_000, plan.signal);
    const cpu = await endCpu();
    const { series, timeline } = recorder.finish();
    if (cpu.appCpuS !== undefined && load.requests > 0) {
      series.app_cpu_s = round(cpu.appCpuS);
      series.requests_sent = load.requests;
      load.app_cpu_ms_per_request = round((cpu.appCpuS * 1000) / load.requests);
    }
    return { load: { ...load, ...(timeline.length ? { timeline } : {}) }, series, saturation: undefined, contention: contentionWarning(cpu.othersCores) };
  }
  const { load: summary, sent } = plan.mix?.length
    ? await runMix({ baseUrl: plan.url, kinds: plan.mix, connections: plan.connections, rate: plan.rate, durationS: plan.durationS, signal: plan.signal, recorder })
    : await runLoad({ url: plan.url, method: plan.method, headers: plan.headers, body: plan.body, connections: plan.connections, rate: plan.rate, durationS: plan.durationS, signal: plan.signal, recorder }).then((raw) => ({
        load: summarizeLoad(raw, plan, recorder.finish().series.latencies_ms),
        sent: raw.requests.sent,
      }));
  const idle = plan.appCpu ? await waitIdle(plan.appCpu, 30_000, plan.signal) : false;
  const cpu = await endCpu();
  const { series, loadgenCpu } = recorder.finish();
  const load: LoadResult = { ...summary, loadgen_cpu: round(loadgenCpu) };
  if (cpu.appCpuS !== undefined && idle && sent > 0) {
    series.app_cpu_s = round(cpu.appCpuS);
    series.requests_sent = sent;
    load.app_cpu_ms_per_request = round((cpu.appCpuS * 1000) / sent);
  }
  if (cpu.othersCores !== undefined) load.others_cores = round(cpu.othersCores);
  return { load, series, saturation: saturationWarning(loadgenCpu, load), contention: contentionWarning(cpu.othersCores) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Other processes using half a core or more: wall-clock numbers then describe the neighbours too. */
export function contentionWarning(othersCores: number | undefined): string | undefined {
  if (othersCores === undefined || othersCores < 0.5) return undefined;
  return (
    `other processes used ${othersCores.toFixed(1)} CPU cores on average during the load: throughput and latency ` +
    'describe the neighbours as much as the app (the app\'s CPU time per request does not).'
  );
}

/** A Locust worker runs on one core (one process, gevent): one near a full core may set the pace. */
export function workerSaturation(load: Pick<LoadResult, 'workers' | 'rps'>): string | undefined {
  const busy = (load.workers ?? []).filter((w) => (w.cpu ?? 0) >= SATURATED_CPU);
  if (busy.length === 0) return undefined;
  return (
    `Locust ${busy.length > 1 ? 'workers' : 'worker'} ${busy.map((w) => `${w.name} used ${((w.cpu ?? 0) * 100).toFixed(0)}%`).join(', ')} of a CPU core ` +
    `at ${load.rps} req/s in all: a worker runs on one core, so the generator rather than the app may set the pace ` +
    '(throughput and latency then describe the generator). Add workers (load.workers in the scenario) or fewer users per worker.'
  );
}

export function saturationWarning(loadgenCpu: number, load: Pick<LoadResult, 'rps'>): string | undefined {
  if (loadgenCpu < SATURATED_CPU) return undefined;
  return (
    `the load generator used ${(loadgenCpu * 100).toFixed(0)}% of a CPU core at ${load.rps} req/s: autocannon is ` +
    'single-threaded, so it may be the bottleneck rather than the app (throughput and latency then describe ' +
    'the generator). Use fewer connections, a faster machine for the generator, or k6.'
  );
}
