/**
 * A k6 script for any holistic load model: the harness passes the model as JSON in __ENV.HOLISTIC_LOAD and the
 * app's base URL in __ENV.HOLISTIC_URL; each k6 scenario (one per request kind, model.ts) runs `request`, which
 * sends its kind. Results come back through handleSummary like the other k6 scripts.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { k6Options, type HolisticLoadModel } from './model.ts';

export { handleSummary } from './summary.ts';

const model: HolisticLoadModel = JSON.parse(__ENV.HOLISTIC_LOAD ?? '{"durationS":10,"connections":2,"requests":[{"path":"/"}]}');
export const options = k6Options(model);

export function request(): void {
  const index = Number(exec.scenario.name.replace(/^(kind|warmup)_/, ''));
  const kind = model.requests[index]!;
  const body = kind.body === undefined ? null : typeof kind.body === 'string' ? kind.body : JSON.stringify(kind.body);
  const headers = { ...(body !== null && typeof kind.body !== 'string' ? { 'content-type': 'application/json' } : {}), ...kind.headers };
  const response = http.request(kind.method ?? 'GET', (__ENV.HOLISTIC_URL ?? 'http://127.0.0.1:8080') + kind.path, body, { headers });
  check(response, { 'answered 2xx': (r) => r.status >= 200 && r.status < 300 });
}
