/**
 * A mix of request kinds (a search, a report, an order POST…) under one load: each kind gets its share of the
 * connections, in proportion to its weight (at least one each), and runs as its own autocannon instance beside
 * the others, all recorded into one ResponseRecorder. So each kind's latency and errors are exact (its own
 * instance counted them), and the whole load is their union. In a closed loop a weight is a share of the
 * connections, not of the requests: a slower kind completes fewer requests per connection (the report shows both).
 */
import { runLoad, summarizeLoad } from './autocannon.js';
import { quantile, ResponseRecorder } from './responses.js';
import type { KindResult, LoadResult, RequestShape } from './types.js';

export type { KindResult } from './types.js';

export interface RequestKind extends RequestShape {
  /** How the report names it (default: METHOD path). */
  name?: string;
  path: string;
  /** Relative share of the connections (default 1). */
  weight?: number;
}

export function kindName(kind: RequestKind): string {
  return kind.name ?? `${kind.method ?? 'GET'} ${kind.path}`;
}

/** Connections per kind in proportion to the weights, at least one each (largest remainders first). */
export function splitConnections(weights: readonly number[], total: number): number[] {
  const n = Math.max(total, weights.length);
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * n);
  const out = exact.map((x) => Math.max(1, Math.floor(x)));
  let left = n - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k]![1]]! += 1;
  while (out.reduce((a, b) => a + b, 0) > n) out[out.indexOf(Math.max(...out))]! -= 1;
  return out;
}

/** One recorder per kind that also records into the shared one (runLoad finishes its own recorder when done). */
class Forwarding extends ResponseRecorder {
  constructor(private readonly shared: ResponseRecorder) {
    super();
  }
  override response(latencyMs: number, status: number): void {
    super.response(latencyMs, status);
    this.shared.response(latencyMs, status);
  }
}

export async function runMix(o: { baseUrl: string; kinds: readonly RequestKind[]; connections: number; rate?: number; durationS: number; signal?: AbortSignal; recorder: ResponseRecorder }): Promise<{ load: LoadResult; sent: number }> {
  const split = splitConnections(o.kinds.map((k) => k.weight ?? 1), o.connections);
  // Open loop: each kind's share of the rate is its weight's (exactly: here a weight is a share of the requests).
  const weightSum = o.kinds.reduce((a, k) => a + (k.weight ?? 1), 0);
  const rateOf = (k: RequestKind) => (o.rate ? (o.rate * (k.weight ?? 1)) / weightSum : undefined);
  const raws = await Promise.all(
    o.kinds.map((kind, i) =>
      runLoad({ url: o.baseUrl + kind.path, method: kind.method, headers: kind.headers, body: kind.body, connections: split[i]!, rate: rateOf(kind), durationS: o.durationS, signal: o.signal, recorder: new Forwarding(o.recorder) }),
    ),
  );
  const kinds: KindResult[] = raws.map((raw, i) => {
    const s = summarizeLoad(raw, { url: o.baseUrl + o.kinds[i]!.path, connections: split[i]! });
    return { name: kindName(o.kinds[i]!), connections: split[i]!, requests: s.requests, rps: s.rps, p50_ms: s.p50_ms, p90_ms: s.p90_ms, p99_ms: s.p99_ms, errors: s.errors, non2xx: s.non2xx };
  });
  // The whole load's percentiles come from every response recorded (a uniform sample past the reservoir's size).
  const { series, timeline } = o.recorder.finish();
  const sorted = series.latencies_ms.slice().sort((a, b) => a - b);
  const q = (p: number) => (sorted.length ? Math.round(quantile(sorted, p) * 100) / 100 : 0);
  const sum = (f: (k: KindResult) => number) => kinds.reduce((a, k) => a + f(k), 0);
  const load: LoadResult = {
    generator: 'autocannon',
    url: o.baseUrl,
    connections: split.reduce((a, b) => a + b, 0),
    duration_s: Math.max(...raws.map((r) => r.duration)),
    requests: sum((k) => k.requests),
    rps: Math.round(sum((k) => k.rps) * 100) / 100,
    p50_ms: q(0.5),
    p90_ms: q(0.9),
    p99_ms: q(0.99),
    max_ms: Math.max(...raws.map((r) => r.latency.max)),
    errors: sum((k) => k.errors),
    timeouts: raws.reduce((a, r) => a + r.timeouts, 0),
    non2xx: sum((k) => k.non2xx),
    ...(timeline.length ? { timeline } : {}),
    kinds,
  };
  return { load, sent: raws.reduce((a, r) => a + r.requests.sent, 0) };
}
