/**
 * Load with autocannon, programmatically. Running (runLoad) and summarizing (summarizeLoad, pure) are kept
 * apart as in autocannon itself, so a raw result can be summarized again or compared later.
 */
import autocannon from 'autocannon';
import { quantile, ResponseRecorder, type LoadTimelinePoint } from './responses.js';
import type { LoadOptions, LoadResult, RequestShape } from './types.js';

/** autocannon's result plus the per-second timeline runLoad recorded beside it. */
export type RawAutocannonResult = autocannon.Result & { timeline?: LoadTimelinePoint[] };

export function runLoad(options: LoadOptions): Promise<RawAutocannonResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(options.signal.reason);
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        ...(options.rate ? { overallRate: options.rate } : {}),
        ...requestShape(options),
        duration: options.durationS,
        timeout: options.timeoutS ?? 30,
        // autocannon prints nothing itself when used as a library without track(): the harness reports.
      },
      (error, result) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve({ ...result, timeline: recorder.finish().timeline });
      },
    );
    // Every response, for the report's timeline and the regression gate's series (load/responses.ts).
    const recorder = options.recorder ?? new ResponseRecorder();
    instance.on('response', (_client, status, _bytes, responseTime) => recorder.response(responseTime, status));
    // autocannon keeps running until its duration ends: stop it when the run is aborted.
    const onAbort = () => instance.stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** autocannon's method/headers/body from a RequestShape: an object body goes as JSON. */
function requestShape(shape: RequestShape): { method?: autocannon.Request['method']; headers?: Record<string, string>; body?: string } {
  const json = shape.body !== undefined && typeof shape.body !== 'string';
  return {
    ...(shape.method ? { method: shape.method } : {}),
    ...(shape.headers || json ? { headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...shape.headers } } : {}),
    ...(shape.body !== undefined ? { body: json ? JSON.stringify(shape.body) : (shape.body as string) } : {}),
  };
}

export function summarizeLoad(raw: RawAutocannonResult, options: Pick<LoadOptions, 'url' | 'connections' | 'rate'>, latencies?: readonly number[]): LoadResult {
  // Open loop: the percentiles of every request that was due, not only of those sent (coordinated omission).
  const corrected = options.rate && latencies?.length ? correctedPercentiles(latencies, (options.connections * 1000) / options.rate) : undefined;
  return {
    generator: 'autocannon',
    url: options.url,
    connections: options.connections,
    duration_s: raw.duration,
    requests: raw.requests.total,
    rps: round(raw.requests.average, 2),
    p50_ms: corrected?.p50 ?? raw.latency.p50,
    p90_ms: corrected?.p90 ?? raw.latency.p90,
    p99_ms: corrected?.p99 ?? raw.latency.p99,
    max_ms: raw.latency.max,
    errors: raw.errors,
    timeouts: raw.timeouts,
    non2xx: raw.non2xx,
    ...(raw.timeline?.length ? { timeline: raw.timeline } : {}),
    ...(options.rate ? { rate: options.rate } : {}),
  };
}

/**
 * Coordinated-omission correction, as HdrHistogram's recordValueWithExpectedInterval does it: an answer that took
 * L ms on a connection meant to send every I ms held back the requests due meanwhile, which would have waited
 * L - I, L - 2I, … ms: those are counted too.
 */
export function correctLatencies(latencies: readonly number[], intervalMs: number): number[] {
  const out = [...latencies];
  if (!(intervalMs > 0)) return out;
  for (const l of latencies) for (let missing = l - intervalMs; missing >= intervalMs; missing -= intervalMs) out.push(missing);
  return out;
}

function correctedPercentiles(latencies: readonly number[], intervalMs: number): { p50: number; p90: number; p99: number } {
  const sorted = correctLatencies(latencies, intervalMs).sort((a, b) => a - b);
  const q = (p: number) => Math.round(quantile(sorted, p) * 100) / 100;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}

export function formatLoad(load: LoadResult): string {
  return (
    `${load.requests} requests in ${load.duration_s.toFixed(1)} s over ${load.connections} connections: ` +
    `${load.rps} req/s, latency p50 ${load.p50_ms} ms, p90 ${load.p90_ms} ms, p99 ${load.p99_ms} ms; ` +
    `${load.errors} errors, ${load.non2xx} non-2xx`
  );
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
