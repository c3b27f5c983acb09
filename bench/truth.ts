/**
 * The ground-truth benchmark: each ground-truth app (test/fixtures/apps/truth: pure Python, a C call holding the
 * GIL, asyncio on uvicorn, threads contending for the GIL) under load, recorded by py-spy in each sampling mode,
 * against what the app measured about itself over the same window.
 *
 * The quantity: a share of non-idle samples containing the hot function estimates the hot call's share of the
 * process's CPU time (truth: time.thread_time around the call / os.times since the window began). The wall-clock
 * share (GIL waits included) is printed beside it: where threads wait for the GIL, the two differ.
 *
 * Estimators, per app:
 *   nonblocking raw       total(hot) in the default sampler's profile, as recorded
 *   nonblocking repaired  the same after re-rooting truncated stacks (profile/truncation.ts)
 *   gil                   total(hot) in a second sampler with --gil (only the GIL holder is sampled): GIL waits
 *                         cannot count as work; code that releases the GIL is invisible to it
 *   estimate (default)    profile/estimate.ts: the GIL sampler's repaired share when the GIL sampler saw the
 *                         CPU (held share >= the default sampler's busy share minus noise), else the repaired share
 *   blocking              a separate window with blocking sampling
 */
import { frameStats, type Profile } from '../harness/profile/model.js';
import { cpuShare, wallClockCheck } from '../harness/profile/estimate.js';
import { repairTruncated, truncatedFraction } from '../harness/profile/truncation.js';
import { gilShares } from '../harness/profile/gil.js';
import { dropIdleLeaves } from '../harness/profile/idle.js';
import os from 'node:os';
import { HOT_FUNCTION, measureWindow, TRUTH_KINDS, withTruthApp, type TruthKind } from '../test/fixtures/apps/truth/truth-apps.js';

export interface TruthBenchOptions {
  durationS: number;
  kinds?: TruthKind[];
  blocking?: boolean;
}

function totalOf(profile: Profile, name: string): number {
  return frameStats(profile).find((s) => s.frame.name === name)?.total ?? 0;
}

const pts = (x: number) => (x * 100).toFixed(1).padStart(6);
const err = (x: number, truth: number) => `${(x - truth) * 100 >= 0 ? '+' : ''}${((x - truth) * 100).toFixed(1)}`.padStart(6);

export async function truthBench(options: TruthBenchOptions): Promise<{ kind: TruthKind; errorPoints: number; wallClockRatio: number }[]> {
  console.log(`\n## Ground truth: py-spy share of the hot function vs the app's own CPU share (${options.durationS} s windows, 2 connections)`);
  console.log('share = non-idle samples whose stack contains the hot function; truth = hot call CPU (thread_time) / process CPU (os.times)');
  const results: { kind: TruthKind; errorPoints: number; wallClockRatio: number }[] = [];
  for (const kind of options.kinds ?? TRUTH_KINDS) {
    const hot = HOT_FUNCTION[kind];
    await withTruthApp(kind, {}, async (app) => {
      const w = await measureWindow(app, [{ name: 'nonblocking' }, { name: 'gil', gil: true }], { durationS: options.durationS });
      const nb = w.profiles.nonblocking!.profile;
      const gil = w.profiles.gil!.profile;
      const t = w.truth;
      const trunc = truncatedFraction(nb);
      const gs = gilShares(nb, gil);
      const est = cpuShare(nb, gil, (f) => f.name === hot);
      console.log(`\n### ${kind}: hot = ${hot}; app truth: CPU share ${pts(t.cpu_share)} %, wall share ${pts(t.wall_share)} % ` +
        `(${t.calls} calls, ${t.hot_cpu_s.toFixed(2)} of ${t.process_cpu_s.toFixed(2)} CPU s); ${w.load.rps} req/s`);
      // Wall-clock samples vs CPU: GIL-held sampler seconds over the app's CPU seconds. Well above 1 = the GIL holder
      // often waited for a core (an oversubscribed machine): then no wall-clock sample is a CPU share.
      console.log(`load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores; GIL-held sample-seconds / app CPU seconds = ` +
        `${(gil.totalWeight / 100 / t.process_cpu_s).toFixed(2)}; hot: ${(totalOf(gil, hot) * gil.totalWeight / 100 / t.hot_cpu_s).toFixed(2)}`);
      console.log(`truncated stacks ${(trunc.fraction * 100).toFixed(1)} % of ${nb.totalWeight} samples; GIL held ${(gs.held * 100).toFixed(1)} %, ` +
        `active without the GIL (waiting for it, or in C that released it) ${(gs.waiting * 100).toFixed(1)} % of the default sampler's samples`);
      const rows: [string, number, number][] = [
        ['nonblocking raw', totalOf(nb, hot), t.cpu_share],
        ['nonblocking re-rooted', totalOf(repairTruncated(nb).profile, hot), t.cpu_share],
        ['gil sampler re-rooted', totalOf(repairTruncated(gil).profile, hot), t.cpu_share],
        [`DEFAULT: ${est.method}`, est.share, t.cpu_share],
      ];
      if (options.blocking ?? true) {
        // Its own window (a blocking sampler pauses the app: it cannot share the window), against that window's truth.
        const b = await measureWindow(app, [{ name: 'blocking', nonblocking: false }], { durationS: options.durationS });
        const bp = b.profiles.blocking!.profile;
        rows.push([`blocking (own window)`, totalOf(bp, hot), b.truth.cpu_share]);
        const idle = dropIdleLeaves(bp);
        rows.push([`blocking, idle leaves out`, totalOf(idle.profile, hot), b.truth.cpu_share]);
        console.log(`blocking: ${(idle.idleFraction * 100).toFixed(1)} % of samples had a stdlib wait as leaf (counted busy by py-spy)`);
        console.log(`blocking window: truth ${pts(b.truth.cpu_share).trim()} %, ${b.load.rps} req/s (x${(b.load.rps / w.load.rps).toFixed(2)} of the nonblocking window)`);
      }
      console.log('estimator                    share %  truth %  error (points)');
      for (const [name, share, truth] of rows) console.log(`${name.padEnd(28)} ${pts(share)}   ${pts(truth)}  ${err(share, truth)}`);
      results.push({ kind, errorPoints: (est.share - t.cpu_share) * 100, wallClockRatio: wallClockCheck(gil.totalWeight, 100, t.process_cpu_s).ratio });
    });
  }
  console.log('\nDefault estimate, error per app (points): ' + results.map((r) => `${r.kind} ${r.errorPoints >= 0 ? '+' : ''}${r.errorPoints.toFixed(1)}${r.wallClockRatio > 1.1 ? ` (GIL held ${r.wallClockRatio.toFixed(2)}x the app's CPU time: oversubscribed, wall-clock shares)` : ''}`).join(', '));
  const worst = Math.max(...results.map((r) => Math.abs(r.errorPoints)));
  console.log(worst <= 2 ? 'every app within ±2 points' : `NOT within ±2 points: worst ${worst.toFixed(1)}`);
  if (results.some((r) => r.wallClockRatio > 1.1)) console.log('Some windows were oversubscribed (the app waited for a core while holding the GIL): their errors measure the machine, not the estimator. Run again on a quiet machine.');
  return results;
}
