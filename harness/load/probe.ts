/**
 * One request before the load, to catch what makes load numbers lie: an app that closes the connection after
 * every response (HTTP/1.0 or `Connection: close`) is mis-timed by autocannon (measured: p50 815 ms reported
 * for 138 ms requests), so the harness warns instead of reporting wrong latencies silently.
 */
import http from 'node:http';

export interface ProbeResult {
  status: number;
  body: string;
  keepAlive: boolean;
  httpVersion: string;
}

export function probe(url: string, timeoutMs = 30_000, signal?: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: true });
    const request = http.get(url, { agent, timeout: timeoutMs, signal }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk.slice(0, 4096 - body.length)));
      response.on('end', () => {
        agent.destroy();
        const closes = response.httpVersion === '1.0' || /close/i.test(String(response.headers.connection ?? ''));
        resolve({ status: response.statusCode ?? 0, body, keepAlive: !closes, httpVersion: response.httpVersion });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    request.on('error', (error) => {
      agent.destroy();
      reject(error);
    });
  });
}

/** Poll until the URL answers 2xx, the process died, or the deadline passes. */
export async function waitHealthy(
  url: string,
  options: { timeoutMs: number; signal?: AbortSignal; isAlive?: () => boolean | Promise<boolean> },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    if (options.isAlive && !(await options.isAlive())) throw new Error('the app exited before it became healthy');
    try {
      const answer = await probe(url, 2000, options.signal);
      if (answer.status >= 200 && answer.status < 300) return;
      last = `HTTP ${answer.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become healthy within ${options.timeoutMs} ms (last: ${last})`);
}
