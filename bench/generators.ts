/**
 * Load generator ceilings on bad-app's cheap /healthz, on this machine: autocannon (in this process) vs Locust
 * with 1 and 2 worker processes, same connections/users and duration, in the same run (ratios to autocannon).
 * Also each generator's own CPU per 1,000 requests (autocannon: this process's CPU time over the load; Locust:
 * its master's and workers' CPU from /proc). On a 2-core machine the app, the generator and the neighbours
 * share the cores: the ceiling is the whole system's, the CPU per request is the generator's own cost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnBackground } from '../harness/exec.js';
import { runLoad } from '../harness/load/autocannon.js';
import { runLocust } from '../harness/load/locust/run.js';
import { waitHealthy } from '../harness/load/probe.js';
import { ResponseRecorder } from '../harness/load/responses.js';
import { projectRoot } from '../harness/paths.js';
import { ensurePythonEnv } from '../harness/python-env.js';
import { freePort } from '../harness/targets/ports.js';

interface Row {
  name: string;
  rps: number;
  cpuMsPer1k: number;
}

export async function generatorsBench(durationS: number, connections: number): Promise<void> {
  console.log(`\n## Load generator ceilings on bad-app /healthz: ${connections} connections/users, ${durationS} s each`);
  const app = path.join(projectRoot, 'app');
  const python = await ensurePythonEnv([path.join(app, 'requirements.txt')]);
  const port = await freePort();
  const server = spawnBackground(python.python, ['-m', 'badapp'], { env: { PORT: String(port), HOST: '127.0.0.1', PYTHONPATH: path.join(app, 'src') }, cwd: app });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'holistic-bench-gen-'));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(`${base}/healthz`, { timeoutMs: 30_000 });
    const rows: Row[] = [];
    const before = process.cpuUsage();
    const raw = await runLoad({ url: `${base}/healthz`, connections, durationS, recorder: new ResponseRecorder() });
    const used = process.cpuUsage(before);
    rows.push({ name: 'autocannon', rps: raw.requests.total / durationS, cpuMsPer1k: ((used.user + used.system) / 1000 / raw.requests.total) * 1000 });
    for (const workers of [1, 2]) {
      const load = await runLocust({ host: base, kinds: [{ path: '/healthz' }], workers, users: connections, durationS, scratchDir: scratch });
      rows.push({ name: `locust ${workers} worker${workers > 1 ? 's' : ''}`, rps: load.requests / durationS, cpuMsPer1k: ((load.loadgen_cpu! * durationS * 1000) / load.requests) * 1000 });
    }
    const ref = rows[0]!;
    console.log('generator          req/s   ×autocannon  generator_cpu_ms/1k_req  ×autocannon');
    for (const r of rows) {
      console.log(`${r.name.padEnd(17)} ${r.rps.toFixed(0).padStart(6)}   ${(r.rps / ref.rps).toFixed(2).padStart(10)}  ${r.cpuMsPer1k.toFixed(1).padStart(22)}  ${(r.cpuMsPer1k / ref.cpuMsPer1k).toFixed(2).padStart(10)}`);
    }
  } finally {
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}
