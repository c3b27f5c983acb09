/**
 * The load: one driver per run that knows the app's address, the generator the scenario chose, the scratch
 * folder and where the app's CPU time is read. `measure` runs one phase and says what disturbed it; `run` is the
 * scenario's plain `load()`: its result becomes the run's load.
 */
import type { AppSpec } from '../app.js';
import { hostProcessCpu, sessionProcessCpu } from '../load/cpu.js';
import { measureLoad, type Measured } from '../load/measure.js';
import { kindName, type RequestKind } from '../load/mix.js';
import { inClusterMode, measureCeiling, placeLoad } from '../load/placement.js';
import type { LoadResult, RequestShape } from '../load/types.js';
import type { DebugSession, Deployment } from '../targets/types.js';
import type { RunFrame, Use } from './types.js';

/** What a scenario may set about one load phase; the rest comes from the scenario and the command line. */
export interface LoadRequest extends RequestShape {
  /** A mix of request kinds, each with its share of the connections (load/mix.ts); instead of path/method/body. */
  requests?: RequestKind[];
  path?: string;
  durationS?: number;
  connections?: number;
  /** Open loop: requests per second on schedule (latencies corrected for coordinated omission); default closed loop. */
  rate?: number;
  /** Seconds of the same load before it, not measured. */
  warmupS?: number;
}

export interface LoadDriver {
  /** One phase, measured; warnings about the generator or the neighbours go to the run. */
  measure(request: LoadRequest, phase?: 'unprofiled'): Promise<Measured>;
  /** The scenario's `load()`: measured, and recorded as the run's load. */
  run(request?: LoadRequest): Promise<LoadResult>;
  /** What a request resolves to, with the scenario's defaults. */
  resolve(request?: LoadRequest): Required<Pick<LoadRequest, 'path' | 'durationS' | 'connections'>> & RequestShape & { requests?: RequestKind[] };
}

export interface LoadSpec {
  generator?: 'autocannon' | 'k6' | 'locust';
  k6Script?: string;
  /** Locust: worker processes, and a user-supplied locustfile (load/locust/run.ts). */
  workers?: number;
  locustfile?: string;
  connections?: number;
  /** The scenario's default request mix, used where a load names no path of its own. */
  requests?: RequestKind[];
  /** Open loop at this rate (requests per second) by default. */
  rate?: number;
  /** Unmeasured seconds before each load by default. */
  warmupS?: number;
}

export async function loading(
  { frame, app, deployment, debug, spec }: { frame: RunFrame; app: AppSpec; deployment: Deployment; debug: DebugSession; spec: LoadSpec | undefined },
  use: Use<LoadDriver>,
): Promise<void> {
  const appCpu = deployment.hostPid ? hostProcessCpu(deployment.hostPid) : sessionProcessCpu(debug, frame.signal);
  const generator = spec?.generator ?? 'autocannon';
  const resolve = (r: LoadRequest = {}) => ({
    rate: r.rate ?? spec?.rate,
    warmupS: r.warmupS ?? spec?.warmupS,
    requests: r.requests ?? (r.path === undefined ? spec?.requests : undefined),
    method: r.method,
    headers: r.headers,
    body: r.body,
    path: r.path ?? app.loadPath,
    durationS: r.durationS ?? frame.durationS,
    connections: r.connections ?? spec?.connections ?? 2,
  });
  let ceiling: Promise<number> | undefined;
  let moveSaid = false;
  const forwardCeiling = () => (ceiling ??= measureCeiling(deployment.url + app.healthPath, resolve().connections, frame.signal));
  const measure = async (request: LoadRequest, phase?: 'unprofiled'): Promise<Measured> => {
    const r = resolve(request);
    const placed = await placeLoad({ generator, chosen: spec?.generator !== undefined, pods: deployment.pods, rate: r.rate, connections: r.connections, mode: inClusterMode(), forwardCeiling });
    // Said once per run (the unprofiled phase and the profiled one are placed alike).
    if (placed.inCluster && placed.generator !== generator && !moveSaid) frame.log(`load: ${generator} moves into the cluster as Locust pods: ${placed.inCluster.reason}`);
    moveSaid ||= placed.inCluster !== undefined;
    const url = r.requests?.length ? deployment.url : deployment.url + r.path;
    // Pods in the cluster load the app's pod IP; the port-forward URL stays the run's (served counter, CPU probe).
    const shown = placed.inCluster ? url.replace(deployment.url, placed.inCluster.pods.appUrl) : url;
    const what = r.requests?.length ? `${shown} mix (${r.requests.map(kindName).join(', ')})` : `${r.method && r.method !== 'GET' ? `${r.method} ` : ''}${shown}`;
    const pace = r.rate ? `open loop at ${r.rate} req/s over ${r.connections} connections` : `${r.connections} connections`;
    frame.log(`${phase ? 'load without profiler' : 'load'}: ${placed.generator} ${what}, ${pace}, ${r.durationS} s${r.warmupS ? ` after ${r.warmupS} s of warm-up` : ''}`);
    const measured = await measureLoad({ rate: r.rate, warmupS: r.warmupS, mix: r.requests, connectionPerRequest: frame.evidence.closesConnections && placed.generator === 'autocannon', url, method: r.method, headers: r.headers, body: r.body, durationS: r.durationS, connections: r.connections, generator: placed.generator, inCluster: placed.inCluster, k6Script: spec?.k6Script, workers: spec?.workers, locustfile: spec?.locustfile, runId: frame.runId, servedPath: app.servedPath, log: frame.log, logDir: frame.runDir, scratchDir: frame.scratchDir, signal: frame.signal, appCpu });
    if (measured.saturation) frame.warn(measured.saturation);
    if (measured.contention) frame.warn(phase ? `unprofiled phase: ${measured.contention}` : measured.contention);
    return measured;
  };
  await use({
    measure,
    resolve,
    run: async (request = {}) => {
      if (frame.phases.current() !== 'load + profile') frame.phases.start('load + profile', { seconds: resolve(request).durationS });
      const measured = await measure(request);
      frame.evidence.load = measured.load;
      frame.evidence.series = measured.series ?? null;
      return measured.load;
    },
  });
}
