/**
 * The ground-truth apps under real load and real py-spy: what the estimators and `holistic diff` do on real Python
 * code, not on hand-written stacks. Shares are checked with margins wider than the benchmark's (bench/truth.ts
 * prints the errors; a test on a shared 2-core machine must not flake), but tight enough that the bias the
 * default sampler has on pure Python (tens of points) would fail them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cpuShare, shareContaining } from '../../harness/profile/estimate.js';
import { gilShares } from '../../harness/profile/gil.js';
import { repairTruncated, truncatedFraction } from '../../harness/profile/truncation.js';
import { measureWindow, withTruthApp, type TruthWindow } from '../fixtures/apps/truth/truth-apps.js';
import { holistic } from '../helpers.js';
import { writeFile } from 'node:fs/promises';
import { readProfile } from '../../harness/profile/read.js';
import { renderDiffFlameGraph } from '../../harness/report/diff-flamegraph.js';
import { hasChromium, openReport } from '../browser.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'holistic-truth-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pure-Python ground truth: the GIL sampler fixes what GIL waits do to the default sampler', () => {
  let w: TruthWindow;
  beforeAll(async () => {
    w = await withTruthApp('purepy', {}, (app) => measureWindow(app, [{ name: 'nonblocking' }, { name: 'gil', gil: true }], { durationS: 6 }));
  });

  test('GIL waits: a large share of the default sampler\'s samples are threads without the GIL', () => {
    const gil = gilShares(w.profiles.nonblocking!.profile, w.profiles.gil!.profile);
    // Measured 44-56% waiting on this app with 2 connections here (the second thread sits in socket
    // write/readinto), 14% on a CI machine whose load generator kept fewer requests in flight. Ten points still
    // tell a sampler that sees GIL waits from one that does not (0% on a single-threaded app).
    expect(gil.waiting).toBeGreaterThan(0.1);
    expect(gil.held).toBeLessThan(0.9);
  });

  test('the estimate is nearer the app\'s own CPU share than the raw default share, and removes most of the raw bias when the machine has CPU to spare', () => {
    const hot = (f: { name: string }) => f.name === 'hot_path';
    const truth = w.truth.cpu_share;
    const est = cpuShare(w.profiles.nonblocking!.profile, w.profiles.gil!.profile, hot);
    expect(est.method).toBe('gil sampler, re-rooted');
    const raw = shareContaining(w.profiles.nonblocking!.profile, hot);
    const message = `estimate ${est.share}, raw ${raw}, truth ${truth}, spare cores ${w.machine.spareCores.toFixed(2)}, steal ${w.machine.stealCores.toFixed(2)}`;
    expect(truth - raw, message).toBeGreaterThan(0.1);
    expect(Math.abs(est.share - truth), message).toBeLessThan(Math.abs(raw - truth));
    // py-spy's samples are wall-clock: a thread that holds the GIL while the OS has it waiting for a core counts
    // as holding it. Then a wall-clock sample cannot be a CPU share. The load average was the gate once, but it
    // lags: two busy processes next to the test (load average 2.3 on 2 cores) put the estimate 19 points off.
    // What the window itself measured decides: a quarter of a core left idle means the app's threads got one.
    // The bound is relative, not a fixed number of points: on this machine 20 windows of 6 s read -1.7 .. +2.7
    // points off (bench/truth.ts prints it), but two CI runs on a machine of the same shape read 7.5 and 8.5
    // points low (estimate 78.4%, raw 68.9%, truth 86.9% at 0.83 spare cores): the GIL sampler there removed 53-57%
    // of the default sampler's bias, here over 85%. Keeping 40% of it is what a broken estimator (the raw share,
    // or one that counts GIL waits) cannot do; the ±2-point aim is the benchmark's, over several windows.
    if (w.machine.spareCores >= 0.25 && w.machine.stealCores < 0.1) expect(Math.abs(est.share - truth), message).toBeLessThan(0.6 * Math.abs(raw - truth));
  });

  test('truncated stacks are counted and, re-rooted, none remain that a complete stack could explain', () => {
    const p = w.profiles.nonblocking!.profile;
    const t = truncatedFraction(p);
    const fixed = repairTruncated(p);
    expect(t.fraction).toBeLessThan(0.2);
    expect(fixed.repairedFraction + fixed.unrepairedFraction).toBeCloseTo(t.fraction);
    expect(fixed.profile.totalWeight).toBeCloseTo(p.totalWeight);
  });
});

describe('holistic diff on two real recordings', () => {
  const record = async (name: string, checksum: string) =>
    withTruthApp('purepy', { TRUTH_CHECKSUM: checksum }, async (app) => {
      const out = path.join(dir, name);
      await import('node:fs/promises').then((fs) => fs.mkdir(out, { recursive: true }));
      await measureWindow(app, [{ name: 'nonblocking' }], { durationS: 5, outDir: out });
      return path.join(out, 'nonblocking.txt');
    });
  let base: string, same: string, slow: string;
  beforeAll(async () => {
    base = await record('base', '1');
    same = await record('same', '1');
    slow = await record('slow', '40'); // checksum() 40x as costly: the planted regression
  });

  test('a planted regression in a pure-Python function: exit 1, naming it, with its interval', async () => {
    const r = await holistic(['diff', base, slow, '--threshold', '15', '--json']);
    expect(r.exitCode, r.all).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.regressions[0].frame.name).toBe('checksum');
    expect(result.regressions[0].delta.low).toBeGreaterThan(0.15);
    const text = await holistic(['diff', base, slow, '--threshold', '15']);
    expect(text.stdout).toMatch(/^FAIL profile diff: .*checksum \(threaded_app\.py\) [\d.]+% -> [\d.]+% \(\+[\d.]+ points, interval \+[\d.]+ \.\. \+[\d.]+\)/m);
  });

  // The threshold stands above the noise: on this shared machine (load average 20-23 on 2 cores) one frame's
  // self share moved up to 10 points between two runs of the same code (_SocketWriter.write 20% -> 31%: threads
  // waiting for the GIL, or for a core, after a syscall), and the sample-count interval alone is too narrow for
  // py-spy's time-correlated samples. The planted regression (checksum() 40x) moves by far more.
  test('an unchanged pair (same code, two app runs): exit 0', async () => {
    const r = await holistic(['diff', base, same, '--threshold', '15']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/^PASS profile diff/m);
  });

  test.skipIf(!hasChromium)('in the browser, the planted regression is red in the differential flame graph, and the toggle shows the baseline layout', async () => {
    const page = path.join(dir, 'diff.html');
    // A page as strict as the report's: no script may run, no network.
    await writeFile(
      page,
      `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
        `<title>diff</title></head><body>${renderDiffFlameGraph(await readProfile(base), await readProfile(slow), { id: 'd' })}</body></html>`,
    );
    const opened = await openReport(page);
    try {
      const p = opened.page;
      const fillOf = (view: string) =>
        p.locator(`${view} g.dfr`, { has: p.locator('title', { hasText: /^checksum \(threaded_app\.py\) — / }) })
          .first()
          .locator('rect')
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          .evaluate((el: any) => el.ownerDocument.defaultView.getComputedStyle(el).fill as string);
      // red: hue 0, e.g. rgb(2xx, 1x, 1x)
      const fwd = await fillOf('.dview-fwd');
      const [r, gr, b] = fwd.match(/\d+/g)!.map(Number);
      expect(r! > 150 && r! > gr! + 60 && r! > b! + 60, fwd).toBe(true);
      expect(await p.isVisible('.dview-fwd svg')).toBe(true);
      expect(await p.isVisible('.dview-rev svg')).toBe(false);
      await p.click('label[for=d-rev]');
      expect(await p.isVisible('.dview-rev svg')).toBe(true);
      expect(await p.isVisible('.dview-fwd svg')).toBe(false);
      expect(await p.textContent('table.diff-table')).toMatch(/checksum \(threaded_app\.py\)\s*grew/);
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.pageErrors).toEqual([]);
      expect(opened.foreignRequests).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('an unreadable file: exit 2 naming it', async () => {
    const r = await holistic(['diff', base, '/nonexistent/profile.txt']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/cannot read profile \/nonexistent\/profile\.txt/);
  });
});

describe('a scenario with the GIL sampler, through holistic run on the local target', () => {
  test('checkGilContention states the contention; the GIL sampler\'s profile is kept beside the raw one', async () => {
    const out = path.join(dir, 'run');
    const r = await holistic(['run', path.join('test', 'fixtures', 'scenarios', 'truth-gil.ts'), '--target', 'local', '--out', out]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/^PASS GIL contention: expected share of active samples without the GIL >= 20\.0%; got [\d.]+% without the GIL \(\d+ of \d+ active samples; \d+ samples held it\); non-holders sat in /m);
    expect(r.stdout).toMatch(/^PASS hotspot hot path under the GIL/m);
    const runDir = (await import('node:fs/promises').then((fs) => fs.readdir(out))).find((d) => d.startsWith('truth-gil-'))!;
    const gil = await readProfile(path.join(out, runDir, 'profile-gil.txt'));
    expect(gil.totalWeight).toBeGreaterThan(100);
  });
});

