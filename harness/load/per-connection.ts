/**
 * Load for a server that closes the connection after every response (HTTP/1.0, `Connection: close`): each
 * request on a new connection, timed from the start of the connection to the end of the answer, with a fixed
 * number of requests in flight (closed loop). autocannon reuses connections and mis-times such servers (measured
 * on the tutorial's original app: p50 1,925 ms and p99 5,423 ms for requests that take about 200 ms), so the
 * harness switches to this generator when the probe says the app closes connections.
 */
import http from 'node:http';
import { quantile, ResponseRecorder } from './responses.js';
import type { LoadOptions, LoadResult } from './types.js';

export async function runConnectionPerRequest(options: LoadOptions & { recorder: ResponseRecorder }): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  const started = performance.now();
  const deadline = started + options.durationS * 1000;
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers = { ...(body !== undefined && typeof options.body !== 'string' ? { 'content-type': 'application/json' } : {}), ...options.headers, connection: 'close' };
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const request = http.request(options.url, { method: options.method ?? 'GET', headers, agent: false, timeout: (options.timeoutS ?? 30) * 1000, signal: options.signal }, (response) => {
        response.resume();
        response.on('end', () => {
          const ms = performance.now() - t0;
          latencies.push(ms);
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) non2xx++;
          options.recorder.response(ms, status);
          resolve();
        });
        response.on('error', () => {
          errors++;
          resolve();
        });
      });
      request.on('timeout', () => {
        timeouts++;
        request.destroy(new Error('timeout'));
      });
      request.on('error', () => {
        errors++;
        resolve();
      });
      request.end(body);
    });
  const worker = async () => {
    while (performance.now() < deadline && !options.signal?.aborted) await one();
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const durationS = (performance.now() - started) / 1000;
  const sorted = latencies.slice().sort((a, b) => a - b);
  const ms = (q: number) => (sorted.length ? Math.round(quantile(sorted, q) * 100) / 100 : 0);
  return {
    generator: 'autocannon',
    url: options.url,
    connections: options.connections,
    duration_s: Math.round(durationS * 100) / 100,
    requests: latencies.length,
    rps: Math.round((latencies.length / durationS) * 100) / 100,
    p50_ms: ms(0.5),
    p90_ms: ms(0.9),
    p99_ms: ms(0.99),
    max_ms: sorted.length ? Math.round(sorted[sorted.length - 1]! * 100) / 100 : 0,
    errors: errors + timeouts,
    timeouts,
    non2xx,
    connection_per_request: true,
  };
}
