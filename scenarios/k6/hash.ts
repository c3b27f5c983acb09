/**
 * k6 load for bad-app's GET / (k6 >= 0.57 runs TypeScript directly). VUs and duration come from the harness's
 * command line (`--vus`, `--duration`), the target URL from __ENV.HOLISTIC_URL.
 */
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';

export { handleSummary } from './summary.ts';

export const options: Options = {
  // Every status outside 2xx counts as failed, as in autocannon's non2xx.
  thresholds: { http_req_failed: ['rate<0.01'] },
};

export default function (): void {
  const response = http.get(__ENV.HOLISTIC_URL ?? 'http://127.0.0.1:8080/');
  check(response, { 'answered 2xx': (r) => r.status >= 200 && r.status < 300 });
}
