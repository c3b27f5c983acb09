/**
 * holistic's load model as k6 options (runs in k6, typed with @types/k6): the same request kinds, weights,
 * connections, open-loop rate, duration and warm-up that drive autocannon become k6 scenarios, one per kind:
 * closed loop = constant-vus with the kind's share of the connections; open loop = constant-arrival-rate with
 * the kind's share of the rate. A warm-up runs first and its requests are tagged `warmup` so thresholds and the
 * summary can leave them out. Pure: tested as data (test/load/k6-model.test.ts), since k6 cannot run here.
 */
import type { Options, Scenario } from 'k6/options';

export interface HolisticRequestKind {
  name?: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  weight?: number;
}

export interface HolisticLoadModel {
  durationS: number;
  connections: number;
  rate?: number;
  warmupS?: number;
  requests: HolisticRequestKind[];
}

/** Connections per kind in proportion to the weights, at least one each (as holistic's own split). */
function split(weights: number[], total: number): number[] {
  const n = Math.max(total, weights.length);
  const sum = weights.reduce((a, b) => a + b, 0);
  const out = weights.map((w) => Math.max(1, Math.round((w / sum) * n)));
  while (out.reduce((a, b) => a + b, 0) > n) out[out.indexOf(Math.max(...out))]! -= 1;
  return out;
}

export function kindScenarioName(i: number): string {
  return `kind_${i}`;
}

export function k6Options(model: HolisticLoadModel): Options {
  const weights = model.requests.map((r) => r.weight ?? 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  const vus = split(weights, model.connections);
  const start = model.warmupS ? `${model.warmupS}s` : '0s';
  const scenarios: Record<string, Scenario> = {};
  model.requests.forEach((kind, i) => {
    const n = vus[i] ?? 1;
    const w = weights[i] ?? 1;
    const tags = { kind: kind.name ?? `${kind.method ?? 'GET'} ${kind.path}` };
    const measured: Scenario = model.rate
      ? { executor: 'constant-arrival-rate', rate: Math.max(1, Math.round((model.rate * w) / sum)), timeUnit: '1s', duration: `${model.durationS}s`, preAllocatedVUs: n, maxVUs: n * 4, startTime: start, exec: 'request', tags }
      : { executor: 'constant-vus', vus: n, duration: `${model.durationS}s`, startTime: start, exec: 'request', tags };
    scenarios[kindScenarioName(i)] = measured;
    if (model.warmupS) scenarios[`warmup_${i}`] = { executor: 'constant-vus', vus: n, duration: start, exec: 'request', tags: { ...tags, warmup: 'true' } };
  });
  return {
    scenarios,
    // Every status outside 2xx counts as failed (autocannon's non2xx); the warm-up is not judged.
    thresholds: { 'http_req_failed{warmup:!true}': ['rate<0.01'] },
  };
}
