/**
 * `npm run bench`: measurements, not tests. Ratios are taken within the same run because these machines are
 * noisy; nothing here asserts a time.
 *   1. The harness's own overhead: wall time of a real cpu-hotspot run on the local target minus its profile
 *      duration (setup: app start + health; teardown: stop + reports).
 *   2. The profile readers' speed and memory on 5k- and 50k-frame profiles: raw, speedscope (holistic's export
 *      of the same profile) and flame graph SVG, each as a ratio to raw.
 *   3. With --truth (or --truth-only): the ground-truth apps, measured vs true hotspot share per sampling mode
 *      (bench/truth.ts). --truth-duration=SEC (default 15), --truth-apps=purepy,cjson,asyncio,threads, --no-blocking.
 *   4. With --startup-only: `holistic --help` and `list` from the installed package (target 0.5 s).
 *   5. With --kills-only: runs killed (SIGKILL, force quit) at random phases, and what `holistic down` leaves.
 *   6. Load generators on /healthz: autocannon vs Locust 1 and 2 workers, ceilings and generator CPU per 1k requests
 *      (bench/generators.ts); --generators-only runs just that (--generators-duration, default 10; --generators-connections, 16).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../harness/exec.js';
import { cacheDir, projectRoot } from '../harness/paths.js';
import { detectEngine } from '../harness/targets/engine.js';
import { parseFlamegraphSvg } from '../harness/profile/flamegraph-svg.js';
import { parsePySpyRaw } from '../harness/profile/pyspy-raw.js';
import { parseSpeedscope, toSpeedscope } from '../harness/profile/speedscope.js';
import { runScenario } from '../harness/run.js';
import cpuHotspot from '../scenarios/cpu-hotspot.js';
import { gateBench, observerBench } from './gate.js';
import { generatorsBench } from './generators.js';
import { inClusterBench } from './in-cluster.js';
import { killsBench } from './kills.js';
import { startupBench } from './startup.js';
import { syntheticRaw } from './synthetic.js';
import { truthBench } from './truth.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const trials = Number(args.get('trials') ?? 3);
const durationS = Number(args.get('duration') ?? 5);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function harnessOverhead(target: 'local' | 'container' | 'kube'): Promise<number> {
  console.log(`\n## Harness overhead: cpu-hotspot on ${target}, --duration ${durationS}, ${trials} trials (+1 warm-up)`);
  const out = await mkdtemp(path.join(os.tmpdir(), 'holistic-bench-'));
  const rows: { wall: number; setup: number; profile: number; teardown: number }[] = [];
  try {
    for (let i = 0; i <= trials; i++) {
      const t0 = performance.now();
      const outcome = await runScenario(cpuHotspot, { target, durationS, outDir: out });
      const wall = (performance.now() - t0) / 1000;
      if (outcome.exitCode !== 0) throw new Error(`run failed (${outcome.exitCode}): ${outcome.summary.error ?? 'verdict failed'}`);
      const d = outcome.summary.durations;
      if (i > 0) rows.push({ wall, setup: d.setup_s, profile: d.profile_s, teardown: d.teardown_s });
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  console.log('trial  wall_s  setup_s  profile_s  teardown_s  overhead_s  overhead/duration');
  rows.forEach((r, i) =>
    console.log(
      `${String(i + 1).padStart(5)}  ${r.wall.toFixed(2).padStart(6)}  ${r.setup.toFixed(2).padStart(7)}  ${r.profile.toFixed(2).padStart(9)}  ${r.teardown.toFixed(2).padStart(10)}  ${(r.wall - durationS).toFixed(2).padStart(10)}  ${((r.wall - durationS) / durationS).toFixed(2).padStart(17)}`,
    ),
  );
  const overhead = median(rows.map((r) => r.wall - durationS));
  console.log(`median overhead: ${overhead.toFixed(2)} s over a ${durationS} s profile (x${(overhead / durationS).toFixed(2)} of the duration)`);
  return overhead;
}

/** hack/images/build: warm (everything cached) always; cold (--rebuild-bases --no-cache) with --images-cold. */
async function imageBuilds(): Promise<void> {
  console.log('\n## Image builds (hack/images/build, podman)');
  const build = path.join(projectRoot, 'hack', 'images', 'build');
  const time = async (args: string[]) => {
    const t0 = performance.now();
    await run(build, args, { timeoutMs: 60 * 60_000 });
    return (performance.now() - t0) / 1000;
  };
  if (args.has('images-cold')) console.log(`cold (--rebuild-bases --no-cache): ${(await time(['--rebuild-bases', '--no-cache'])).toFixed(1)} s`);
  else console.log('cold: skipped (pass --images-cold: it rebuilds the base images and drops the layer cache)');
  const warm = await time([]);
  console.log(`warm: ${warm.toFixed(1)} s`);
}

function inferno(): string | undefined {
  const cached = path.join(cacheDir('inferno', 'bin'), 'inferno-flamegraph');
  if (existsSync(cached)) return cached;
  return undefined;
}

async function readerSpeed(): Promise<void> {
  console.log('\n## Profile readers: synthetic py-spy profiles (raw) and their inferno flame graphs (SVG)');
  const flamegraph = inferno();
  if (!flamegraph) {
    console.log('inferno-flamegraph not found: `make bench-deps` (cargo install inferno --root ~/.cache/holistic/inferno). SVG rows skipped.');
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'holistic-bench-'));
  try {
    console.log('frames  format      bytes       parse_ms (median of 5)  heap_MB  time/raw');
    for (const frames of [5_000, 50_000]) {
      const raw = syntheticRaw(frames, 42);
      const rawPath = path.join(dir, `p${frames}.txt`);
      await writeFile(rawPath, raw);
      const rawMs = await timeIt(() => parsePySpyRaw(raw, rawPath));
      console.log(`${String(frames).padStart(6)}  raw         ${String(raw.length).padEnd(10)}  ${rawMs.ms.toFixed(1).padStart(22)}  ${rawMs.heapMb.toFixed(0).padStart(7)}`);
      const speedscope = toSpeedscope(parsePySpyRaw(raw, rawPath));
      const ssMs = await timeIt(() => parseSpeedscope(speedscope, 'bench.speedscope.json'));
      console.log(
        `${String(frames).padStart(6)}  speedscope  ${String(speedscope.length).padEnd(10)}  ${ssMs.ms.toFixed(1).padStart(22)}  ${ssMs.heapMb.toFixed(0).padStart(7)}  x${(ssMs.ms / rawMs.ms).toFixed(1)}`,
      );
      if (!flamegraph) continue;
      // --minwidth 0 keeps every frame: the reader's worst case (py-spy's default drops < 0.1%).
      const svg = (await run(flamegraph, ['--minwidth', '0', rawPath], { timeoutMs: 300_000 })).stdout;
      const svgMs = await timeIt(() => parseFlamegraphSvg(svg, 'bench.svg'));
      console.log(
        `${String(frames).padStart(6)}  svg         ${String(svg.length).padEnd(10)}  ${svgMs.ms.toFixed(1).padStart(22)}  ${svgMs.heapMb.toFixed(0).padStart(7)}  x${(svgMs.ms / rawMs.ms).toFixed(1)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeIt(fn: () => unknown): Promise<{ ms: number; heapMb: number }> {
  const times: number[] = [];
  let heapMb = 0;
  for (let i = 0; i < 5; i++) {
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const result = await fn();
    times.push(performance.now() - t0);
    heapMb = Math.max(heapMb, (process.memoryUsage().heapUsed - before) / 1e6);
    void result;
  }
  return { ms: median(times), heapMb };
}

console.log(`holistic bench on ${os.cpus().length} cores, node ${process.version}`);
// --startup-only: the installed command's start time (--startup-runs, default 7).
if (args.has('startup-only')) {
  await startupBench(Number(args.get('startup-runs') ?? 7));
  process.exit(0);
}
// --kills-only: killed runs and leaks (--kill-runs, default 20 per target; --kill-targets=local,container,kube).
if (args.has('kills-only')) {
  await killsBench(Number(args.get('kill-runs') ?? 20), args.get('kill-targets')?.split(','));
  process.exit(0);
}
// --in-cluster-only: port-forward vs in-cluster Locust pods on the test cluster (needs HOLISTIC_KUBECONFIG).
if (args.has('in-cluster-only')) {
  await inClusterBench(Number(args.get('generators-duration') ?? 10), Number(args.get('generators-connections') ?? 16), Number(args.get('locust-workers') ?? 2));
  process.exit(0);
}
if (args.has('generators-only')) {
  await generatorsBench(Number(args.get('generators-duration') ?? 10), Number(args.get('generators-connections') ?? 16));
  process.exit(0);
}
// --gate-only / --observer-only run just that section; --gate-trials (default 10), --gate-duration (default 5).
if (args.has('truth') || args.has('truth-only')) {
  await truthBench({ durationS: Number(args.get('truth-duration') ?? 15), blocking: !args.has('no-blocking'), kinds: args.get('truth-apps')?.split(',') as never, windows: Number(args.get('truth-windows') ?? 1) });
  if (args.has('truth-only')) process.exit(0);
}
if (!args.has('readers-only') && !args.has('observer-only')) await gateBench(Number(args.get('gate-trials') ?? 10), Number(args.get('gate-duration') ?? 5));
if (!args.has('readers-only') && !args.has('gate-only')) await observerBench(Number(args.get('observer-trials') ?? 3), Number(args.get('observer-duration') ?? 6));
if (args.has('gate-only') || args.has('observer-only')) process.exit(0);
if (!args.has('readers-only')) {
  const local = await harnessOverhead('local');
  if (await detectEngine().then(() => true, () => false)) {
    await imageBuilds();
    const container = await harnessOverhead('container');
    console.log(`\ncontainer overhead / local overhead: x${(container / local).toFixed(2)}`);
  } else {
    console.log('\nno container engine: container rows skipped');
  }
  if (process.env.HOLISTIC_KUBECONFIG) {
    process.env.KUBECONFIG = process.env.HOLISTIC_KUBECONFIG;
    const kube = await harnessOverhead('kube');
    console.log(`\nkube overhead / local overhead: x${(kube / local).toFixed(2)}`);
  } else {
    console.log('\nHOLISTIC_KUBECONFIG unset (hack/local-cluster/up prints it): kube rows skipped');
  }
}
if (!args.has('readers-only')) await generatorsBench(Number(args.get('generators-duration') ?? 10), Number(args.get('generators-connections') ?? 16));
await readerSpeed();
