/**
 * One measured load phase with Locust (measure.ts dispatches here): the app's CPU window and served counter
 * around it. CPU per request divides by the requests the *app* counted when it can say (a Locust worker stops
 * its users mid-request, so requests the app finished may be missing from Locust's count), else by Locust's.
 */
import { waitIdle, type CpuWindow } from '../cpu.js';
import type { RequestKind } from '../mix.js';
import type { LoadSeries } from '../responses.js';
import { readServed, servedBetween } from '../served.js';
import type { LoadResult, PodLauncher, RequestShape } from '../types.js';
import { runLocustPods } from './pods.js';
import { runLocust } from './run.js';

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The part of measure.ts's LoadPlan a Locust phase uses. */
export interface LocustPlan extends RequestShape {
  url: string;
  durationS: number;
  connections: number;
  mix?: RequestKind[];
  rate?: number;
  workers?: number;
  locustfile?: string;
  servedPath?: string;
  logDir?: string;
  runId?: string;
  scratchDir: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  appCpu?: import('../cpu.js').AppCpu;
  /** Run the master and workers as pods next to the app (kube, kind), and why (for the log and the report). */
  inCluster?: { pods: PodLauncher; reason: string };
}

export async function measureLocust(plan: LocustPlan, endCpu: () => Promise<CpuWindow>): Promise<{ load: LoadResult; series: LoadSeries | undefined }> {
  const base = new URL(plan.url);
  const kinds = plan.mix?.length ? plan.mix : [{ path: base.pathname + base.search, method: plan.method, headers: plan.headers, body: plan.body }];
  const servedUrl = plan.servedPath ? base.origin + plan.servedPath : undefined;
  const before = servedUrl ? await readServed(servedUrl, plan.signal) : undefined;
  const options = {
    kinds, workers: plan.workers ?? 1, users: plan.connections, durationS: plan.durationS, rate: plan.rate,
    locustfile: plan.locustfile, scratchDir: plan.logDir ?? plan.scratchDir, runId: plan.runId, signal: plan.signal, log: plan.log,
  };
  const load = plan.inCluster ? await runLocustPods(options, plan.inCluster.pods, plan.inCluster.reason) : await runLocust({ ...options, host: base.origin });
  const idle = plan.appCpu ? await waitIdle(plan.appCpu, 30_000, plan.signal) : false;
  const cpu = await endCpu();
  const after = before && servedUrl ? await readServed(servedUrl, plan.signal) : undefined;
  if (before && after) {
    load.served = { app: servedBetween(before, after, kinds.map((k) => k.path)), generator: load.requests, tolerance: plan.connections };
  }
  const requests = load.served?.app ?? load.requests;
  if (cpu.appCpuS !== undefined && idle && requests > 0) load.app_cpu_ms_per_request = round((cpu.appCpuS * 1000) / requests);
  if (cpu.othersCores !== undefined) load.others_cores = round(cpu.othersCores);
  // Locust reports no per-request samples: the gate compares CPU per request and throughput, not bootstrapped latency.
  const series = cpu.appCpuS !== undefined && idle && requests > 0 ? { per_second: load.timeline?.slice(1, -1).map((p) => p.requests) ?? [], latencies_ms: [], latencies_seen: 0, app_cpu_s: round(cpu.appCpuS), requests_sent: requests } : undefined;
  return { load, series };
}
