/**
 * The observer effect of async-profiler on bad-app-java, measured in one run: the JVM started locally (cost 10,
 * warmed up first so the JIT is not part of the comparison), then N interleaved pairs of the same load without
 * and with async-profiler attached (itimer, 10 ms). Prints each pair's throughput ratio, the median, the attach
 * times and the BCrypt self share; also the JVM's CPU per request in both phases (/proc/PID/stat), which does not
 * depend on what the neighbours take.
 *
 *   node --import tsx bench/jvm-observer.ts [PAIRS=3] [SECONDS=6]
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { shareOf } from '../harness/assert/hotspot.js';
import { run } from '../harness/exec.js';
import { runLoad, summarizeLoad } from '../harness/load/autocannon.js';
import { projectRoot } from '../harness/paths.js';
import type { DebugSession } from '../harness/targets/types.js';
import { profileJvm } from '../harness/tools/async-profiler.js';

const pairs = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 6);
await run(path.join(projectRoot, 'app/java/build'), [], { timeoutMs: 600_000 });
const jvm = spawn('java', ['-jar', path.join(projectRoot, 'app/java/target/badapp.jar')], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BADAPP_BCRYPT_ROUNDS: '10' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const stop = () => jvm.exitCode === null && jvm.kill('SIGKILL');
process.on('exit', stop);
process.on('SIGINT', () => process.exit(130));
let err = '';
jvm.stderr!.on('data', (b: Buffer) => (err += b.toString()));
for (let i = 0; i < 100 && !/listening on \S*:\d+ /.test(err); i++) await sleep(100);
const url = `http://127.0.0.1:${/listening on \S*:(\d+) /.exec(err)![1]}/`;
const cpuS = async () => {
  const f = (await readFile(`/proc/${jvm.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const session: DebugSession = {
  image: undefined, capabilities: ['ALL'], privileged: false, appPid: jvm.pid!, scratchDir: os.tmpdir(),
  ptraceHint: 'run as root', environment: {},
  exec: (argv, o) => run(argv[0]!, argv.slice(1), { ...o, reject: false }),
  copyOut: (a, b) => copyFile(a, b),
};
const load = async () => {
  const c0 = await cpuS();
  const r = summarizeLoad(await runLoad({ url, connections: 2, durationS: seconds }), { url, connections: 2 });
  return { ...r, cpuPerRequestMs: ((await cpuS()) - c0) * 1000 / Math.max(1, r.requests) };
};
await load(); // JIT warm-up
const dir = await mkdtemp(path.join(os.tmpdir(), 'holistic-bench-jvm-'));
const rows: { without: number; with: number; cpuWithout: number; cpuWith: number; attachS: number; share: number }[] = [];
try {
  for (let i = 0; i < pairs; i++) {
    const without = await load();
    const capture = await profileJvm(session, dir, { durationS: seconds, whileProfiling: load });
    const withP = capture.during!;
    const share = shareOf(capture.profile, /^at\/favre\/lib\/crypto\/bcrypt\//, 'self').share;
    rows.push({ without: without.rps, with: withP.rps, cpuWithout: without.cpuPerRequestMs, cpuWith: withP.cpuPerRequestMs, attachS: capture.attachS, share });
    console.log(`pair ${i + 1}: ${without.rps} -> ${withP.rps} req/s (x${(withP.rps / without.rps).toFixed(2)}); CPU/request ${without.cpuPerRequestMs.toFixed(1)} -> ${withP.cpuPerRequestMs.toFixed(1)} ms; attach ${capture.attachS.toFixed(2)} s; BCrypt self ${(share * 100).toFixed(1)}% of ${capture.profile.totalWeight}`);
  }
} finally {
  stop();
  await rm(dir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`median throughput ratio x${median(rows.map((r) => r.with / r.without)).toFixed(2)}, CPU per request ratio x${median(rows.map((r) => r.cpuWith / r.cpuWithout)).toFixed(2)}, attach ${median(rows.map((r) => r.attachS)).toFixed(2)} s, BCrypt self ${(median(rows.map((r) => r.share)) * 100).toFixed(1)}%`);
