/** The load model as a locustfile, and Locust workers' records as one LoadResult (pure parts of load/locust/). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { locustfile } from '../../harness/load/locust/locustfile.ts';
import { summarizeLocust, type WorkerRecord } from '../../harness/load/locust/summary.ts';
import { workerSaturation } from '../../harness/load/measure.ts';
import { renderWorkerLoads } from '../../harness/report/load-workers.ts';

describe('the load model as a locustfile', () => {
  const text = locustfile({
    kinds: [{ name: 'search "q"', path: '/search?q=a', weight: 3 }, { path: '/orders', method: 'POST', body: { items: [] }, headers: { 'x-k': 'v' } }],
    users: 4,
    rate: 20,
    pluginDir: '/opt/holistic',
  });

  test('one weighted task per kind, JSON bodies with their content type, paced at rate / users', () => {
    expect(text).toContain('@task(3)');
    expect(text).toContain('self.client.request("POST", "/orders", headers={"content-type": "application/json", "x-k": "v"}, data="{\\"items\\":[]}".encode(), name="POST /orders")');
    expect(text).toContain('wait_time = constant_throughput(5)');
  });

  test('is valid Python (names with quotes escaped)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'holistic-locustfile-'));
    writeFileSync(path.join(dir, 'locustfile.py'), text);
    expect(() => execFileSync('python3', ['-c', `import ast,sys; ast.parse(open(sys.argv[1]).read())`, path.join(dir, 'locustfile.py')])).not.toThrow();
  });
});

describe('workers records merged', () => {
  const record = (name: string, times: Record<string, number>, seconds: Record<string, number>): WorkerRecord => {
    const requests = Object.values(times).reduce((a, b) => a + b, 0);
    return { name, pid: 1, requests, failures: 0, errors: 0, non2xx: 0, total_ms: 0, max_ms: Math.max(...Object.keys(times).map(Number)), response_times: times, per_second: seconds, non2xx_per_second: {} };
  };
  const load = summarizeLocust(
    [record('worker-1', { '10': 98, '11': 1, '12': 1 }, { '100': 60, '101': 40 }), record('worker-<2>', { '900': 10 }, { '101': 10 })],
    { url: 'http://127.0.0.1:1', users: 2, durationS: 2, loadgenCpuS: 1, logs: { 'worker-1': '/x/worker-1.log' } },
  );

  test('counts sum, percentiles from the summed histogram, timeline summed by second', () => {
    expect(load.requests).toBe(110);
    expect(load.p50_ms).toBe(10);
    // Nearest rank: p90 is the 99th of 110 (the 11 ms one), p99 the 109th (one of worker-<2>'s 900 ms).
    expect(load.p90_ms).toBe(11);
    expect(load.p99_ms).toBe(900);
    expect(load.workers!.map((w) => [w.name, w.requests, w.p99_ms])).toEqual([['worker-1', 100, 11], ['worker-<2>', 10, 900]]);
    expect(load.timeline!.map((p) => p.requests)).toEqual([60, 50]);
  });

  test('the report section names each worker, escaped', () => {
    const html = renderWorkerLoads(load);
    expect(html).toContain('worker-&lt;2&gt;');
    expect(html).not.toContain('worker-<2>');
    expect(html).toContain('/x/worker-1.log');
    expect(html).not.toContain('CPU (of a core)');
  });

  test("workers' own CPU records: a share of a core each, summed into loadgen_cpu where no outside reading exists (pods)", () => {
    const base = record('worker-1', { '10': 10 }, { '100': 10 });
    const pods = summarizeLocust([{ ...base, cpu_s: 9.4 }, { ...base, name: 'worker-2', cpu_s: 2 }], { url: 'http://10.0.0.1:8000', users: 2, durationS: 10, logs: {} });
    expect(pods.workers!.map((w) => [w.name, w.cpu])).toEqual([['worker-1', 0.94], ['worker-2', 0.2]]);
    expect(pods.loadgen_cpu).toBe(1.14);
    // A reading from outside (local processes: master and workers) is kept; a record without CPU leaves the sum out.
    expect(summarizeLocust([{ ...base, cpu_s: 3 }], { url: 'u', users: 1, durationS: 10, loadgenCpuS: 5, logs: {} }).loadgen_cpu).toBe(0.5);
    expect(summarizeLocust([{ ...base, cpu_s: 3 }, { ...base, name: 'old' }], { url: 'u', users: 1, durationS: 10, logs: {} }).loadgen_cpu).toBeUndefined();

    const html = renderWorkerLoads(pods);
    expect(html).toContain('<th>CPU (of a core)</th>');
    expect(html).toMatch(/worker-1<\/td>.*<td class="num-inline">94%<\/td>/);
    expect(html).toMatch(/merged<\/th>.*<td class="num-inline">114%<\/td>/);

    // worker-1 near a full core may be what sets the pace: said, naming it; worker-2 is not named.
    expect(workerSaturation(pods)).toMatch(/^Locust worker worker-1 used 94% of a CPU core at 2 req\/s in all: .* Add workers \(load\.workers/);
    expect(workerSaturation(load)).toBeUndefined();
  });
});
