/**
 * The regression gate's error rates and the profiler's cost, measured on the local target with the real
 * bad-app. Each gate trial is independent: a fresh baseline at BADAPP_BCRYPT_ROUNDS=12, then the same setting
 * again (must pass: a fail is a false alarm) and 13 (twice the work per request: must fail: a pass is a miss).
 * The order of the two alternates between trials so slow drift of the machine does not favour one case.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkHotspot, defineScenario, pySpyRecord, runScenario, type RunOptions, type Scenario } from '../harness/index.js';
import cpuHotspot from '../scenarios/cpu-hotspot.js';

/**
 * cpu-hotspot without its mid-run `py-spy dump`: a blocking sampler holds ptrace on the app, so the dump could
 * not attach and the run would fail before its observer effect is known.
 */
const recordOnly = defineScenario({
  ...cpuHotspot,
  name: 'cpu-hotspot-record-only',
  async run({ attach }) {
    const { evidence: recording } = await attach(pySpyRecord(), { load: { connections: 2 } });
    return [checkHotspot(recording.profile, /^hash_password \(/, { atLeast: 0.5, label: 'hash_password' })];
  },
});

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

// Ctrl-C stops the run in progress and tears its app down, as the CLI does.
const interrupt = new AbortController();
process.on('SIGINT', () => interrupt.abort(new Error('SIGINT'))); // npm forwards Ctrl-C too: every SIGINT lands here

async function once(out: string, options: RunOptions, scenario: Scenario = cpuHotspot) {
  const t0 = performance.now();
  interrupt.signal.throwIfAborted();
  const outcome = await runScenario(scenario, { target: 'local', outDir: out, signal: interrupt.signal, ...options });
  return { outcome, wallS: (performance.now() - t0) / 1000 };
}

export async function gateBench(trials: number, durationS: number): Promise<void> {
  console.log(`\n## Regression gate: ${trials} independent trials on local, --duration ${durationS} (baseline at rounds 12; then 12 = unchanged, 13 = 2x work)`);
  const out = await mkdtemp(path.join(os.tmpdir(), 'holistic-bench-gate-'));
  let falseAlarms = 0;
  let misses = 0;
  let errors = 0;
  const perTrial: number[] = [];
  const unchangedCpu: number[] = [];
  let caughtInconclusive = 0;
  try {
    console.log(`trial  ${'unchanged (rounds 12)'.padEnd(50)}  ${'regressed (rounds 13)'.padEnd(50)}  trial_s`);
    for (let i = 1; i <= trials; i++) {
      const t0 = performance.now();
      const file = path.join(out, `baseline-${i}.json`);
      const base = await once(out, { durationS, appEnv: { BADAPP_BCRYPT_ROUNDS: '12' }, saveBaseline: file });
      if (base.outcome.exitCode !== 0) {
        errors++;
        console.log(`${String(i).padStart(5)}  baseline run failed (${base.outcome.exitCode}): ${base.outcome.summary.error ?? 'verdict failed'}`);
        continue;
      }
      const cases = [
        { rounds: '12', shouldPass: true },
        { rounds: '13', shouldPass: false },
      ];
      if (i % 2 === 0) cases.reverse();
      const cells: Record<string, string> = {};
      for (const c of cases) {
        const r = await once(out, { durationS, appEnv: { BADAPP_BCRYPT_ROUNDS: c.rounds }, baseline: file });
        if (r.outcome.exitCode > 1) errors++;
        const passed = r.outcome.exitCode === 0;
        if (c.shouldPass && !passed) falseAlarms++;
        if (!c.shouldPass && passed) misses++;
        if (!c.shouldPass && !passed) {
          const inconclusiveOnly = r.outcome.summary.baseline?.comparisons.filter((g) => g.gated && g.outcome !== 'pass').every((g) => g.outcome === 'inconclusive');
          if (inconclusiveOnly) caughtInconclusive++;
        }
        const gate = r.outcome.summary.baseline?.comparisons ?? [];
        const cpu = gate.find((g) => g.metric === 'cpu per request');
        if (c.shouldPass && cpu && !Number.isNaN(cpu.change)) unchangedCpu.push(cpu.change);
        const tp = gate.find((g) => g.metric === 'throughput');
        const p50 = gate.find((g) => g.metric === 'latency p50');
        const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '?' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`);
        const failing = r.outcome.summary.verdicts.filter((v) => !v.pass).map((v) => v.name.replace(' vs baseline', '')).join(',');
        cells[c.rounds] = `${passed ? 'PASS' : 'FAIL'} cpu/req ${pct(cpu?.change)} rps ${pct(tp?.change)} p50 ${pct(p50?.change)}${failing ? ` [${failing}]` : ''}`.slice(0, 50).padEnd(50);
      }
      const trialS = (performance.now() - t0) / 1000;
      perTrial.push(trialS);
      console.log(`${String(i).padStart(5)}  ${cells['12']}  ${cells['13']}  ${trialS.toFixed(1).padStart(7)}`);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  console.log(`false alarms (unchanged case failed): ${falseAlarms} of ${trials}`);
  console.log(`misses (2x regression passed):         ${misses} of ${trials}` + (caughtInconclusive ? ` (${caughtInconclusive} of the caught ones failed as inconclusive, not regressed)` : ''));
  if (errors) console.log(`runs that could not complete: ${errors}`);
  console.log(`time per trial (baseline + 2 runs): median ${median(perTrial).toFixed(1)} s`);
  if (unchangedCpu.length) {
    const sorted = [...unchangedCpu].sort((a, b) => a - b);
    console.log(`cpu per request, unchanged case: change from baseline ranged ${(sorted[0]! * 100).toFixed(1)}% .. ${(sorted.at(-1)! * 100).toFixed(1)}% (gate threshold +25%)`);
  }
}

/** Profiled / unprofiled throughput and p99 for each sampling setting, over equal-length phases. */
export async function observerBench(trials: number, durationS: number): Promise<void> {
  console.log(`\n## Observer effect: profiled / unprofiled, ${trials} runs per setting, ${durationS} s phases (median ratios)`);
  const out = await mkdtemp(path.join(os.tmpdir(), 'holistic-bench-observer-'));
  const settings = [
    { label: 'nonblocking, 1 sampler ', sampling: 'nonblocking', flamegraph: false },
    { label: 'nonblocking, 2 samplers', sampling: 'nonblocking', flamegraph: true },
    { label: 'blocking, 1 sampler    ', sampling: 'blocking', flamegraph: false },
    { label: 'blocking, 2 samplers   ', sampling: 'blocking', flamegraph: true },
  ] as const;
  const rows = new Map<string, { rps: number[]; p50: number[]; p99: number[]; share: number[]; cores: number[]; others: number[] }>();
  try {
    // Interleaved, so a change in the machine's load hits every setting alike.
    for (let i = 0; i < trials; i++) {
      for (const s of settings) {
        const r = await once(out, { durationS, unprofiledS: durationS, sampling: s.sampling, flamegraph: s.flamegraph }, recordOnly);
        const o = r.outcome.summary.observer;
        if (!o) {
          console.log(`${s.label}: run failed (${r.outcome.exitCode}): ${r.outcome.summary.error ?? 'no observer numbers'}`);
          continue;
        }
        const row = rows.get(s.label) ?? { rps: [], p50: [], p99: [], share: [], cores: [], others: [] };
        row.cores.push(o.sampling?.profiler_cores ?? NaN);
        row.others.push(r.outcome.summary.load?.others_cores ?? NaN);
        row.rps.push(o.rps_ratio);
        row.p50.push(o.p50_ratio);
        row.p99.push(o.p99_ratio);
        row.share.push(r.outcome.summary.hotspots[0]?.self ?? 0);
        rows.set(s.label, row);
      }
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  console.log('setting                  throughput  p50     p99     hot share  py-spy cores  neighbours (cores)');
  for (const [label, row] of rows) {
    console.log(
      `${label}  x${median(row.rps).toFixed(2).padEnd(9)}  x${median(row.p50).toFixed(2).padEnd(5)}  x${median(row.p99).toFixed(2).padEnd(5)}  ` +
        `${(median(row.share) * 100).toFixed(1).padStart(5)}%     ${median(row.cores).toFixed(3).padEnd(12)}  ${median(row.others).toFixed(1)}   (${row.rps.length} runs; rps ratios: ${row.rps.map((x) => x.toFixed(2)).join(' ')})`,
    );
  }
}
