/**
 * The scenario's load model written as a locustfile: one FastHttpUser class whose tasks are the request kinds,
 * each with its weight (in Locust a weight is a share of the *task picks*, so of the requests, unlike
 * autocannon's mix where it is a share of connections). Closed loop (no wait) by default; with a rate, each user
 * paces itself at rate / users requests per second (Locust's constant_throughput: it cannot catch up on a late
 * answer, so the percentiles are not corrected for coordinated omission). Pure: returns the file's text.
 */
import type { RequestKind } from '../mix.js';
import { kindName } from '../mix.js';

export interface LocustModel {
  kinds: readonly RequestKind[];
  users: number;
  /** Requests per second over all users (open-ish loop); absent: closed loop. */
  rate?: number;
  /** Directory holding holistic_locust.py (the per-worker recorder). */
  pluginDir: string;
}

/** A JSON string is a valid Python string literal (the escapes are a subset of Python's). */
const py = (value: string) => JSON.stringify(value);

function pyHeaders(kind: RequestKind): string {
  const json = kind.body !== undefined && typeof kind.body !== 'string';
  const headers = { ...(json ? { 'content-type': 'application/json' } : {}), ...kind.headers };
  return `{${Object.entries(headers).map(([k, v]) => `${py(k)}: ${py(v)}`).join(', ')}}`;
}

function pyBody(kind: RequestKind): string {
  if (kind.body === undefined) return 'None';
  return `${py(typeof kind.body === 'string' ? kind.body : JSON.stringify(kind.body))}.encode()`;
}

export function locustfile(model: LocustModel): string {
  const wait = model.rate ? `constant_throughput(${model.rate / model.users})` : 'constant(0)';
  const tasks = model.kinds.map((kind, i) =>
    [
      `    @task(${kind.weight ?? 1})`,
      `    def kind_${i}(self):`,
      `        self.client.request(${py(kind.method ?? 'GET')}, ${py(kind.path)}, headers=${pyHeaders(kind)}, data=${pyBody(kind)}, name=${py(kindName(kind))})`,
    ].join('\n'),
  );
  return [
    '# Written by holistic from the scenario\'s load model; regenerated on every run.',
    'import sys',
    `sys.path.insert(0, ${py(model.pluginDir)})`,
    'import holistic_locust  # noqa: F401,E402  (records each worker\'s requests for the exact merge)',
    'from locust import FastHttpUser, constant, constant_throughput, task  # noqa: E402,F401',
    '',
    '',
    'class HolisticLoad(FastHttpUser):',
    `    wait_time = ${wait}`,
    '',
    tasks.join('\n\n'),
    '',
  ].join('\n');
}
