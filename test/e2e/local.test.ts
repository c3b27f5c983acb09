/**
 * End to end on the local target: the real bad-app, real py-spy, real autocannon load, through the CLI as a
 * user runs it, and through the library as a vitest scenario.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { shareOf } from '../../harness/assert/hotspot.js';
import { readFlamegraphSvg } from '../../harness/profile/flamegraph-svg.js';
import { readProfile } from '../../harness/profile/read.js';
import { runScenario } from '../../harness/run.js';
import cpuHotspot from '../../scenarios/cpu-hotspot.js';
import { fixtures, holistic, interruptWhen, isAlive, readSummary, runFolder, test } from '../helpers.js';

describe('cpu-hotspot on the local target', () => {
  test('the CLI passes, names hash_password as the top hotspot, and leaves nothing running', async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot', '--target', 'local', '--duration', '5', '--out', out]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/^PASS hotspot hash_password: expected self share >= 80%, ranked first by self share; got \d+\.\d% /m);
    expect(r.stdout).toMatch(/^PASS cpu-hotspot on local: report /m);

    const runDir = await runFolder(out);
    const summary = await readSummary(runDir);
    expect(summary).toMatchObject({ scenario: 'cpu-hotspot', target: 'local', verdict: 'pass' });
    expect(summary.hotspots[0]).toMatchObject({ name: 'hash_password', file: 'badapp/hashing.py' });
    expect(summary.hotspots[0]!.self).toBeGreaterThanOrEqual(0.8);
    expect(summary.samples).toBeGreaterThan(100);
    expect(summary.load).toMatchObject({ errors: 0, non2xx: 0 });
    expect(summary.load!.requests).toBeGreaterThan(5);
    expect(summary.debugContainer).toEqual({ image: null, capabilities: ['ALL'], privileged: false });
    // The thread dump taken halfway: request threads hash. (Whether the main thread reads as idle in select
    // depends on the instant it was caught: not asserted.)
    expect(summary.threads!.find((t) => t.name === 'MainThread')!.frames.join(';')).toMatch(/serve_forever/);
    expect(summary.threads!.some((t) => !t.idle && t.frames[0]!.startsWith('hash_password'))).toBe(true);
    for (const file of ['profile.txt', 'flame.svg', 'report.html', 'junit.xml', 'app.log', 'dump.txt']) {
      expect(existsSync(path.join(runDir, file)), file).toBe(true);
    }
    expect(summary.artifacts).toMatchObject({ profile: 'profile.txt', flamegraph: 'flame.svg', report: 'report.html' });
    expect(isAlive(summary.app.hostPid), 'the app process is gone').toBe(false);
    // The app got SIGTERM and exited cleanly, not SIGKILL.
    expect(await readFile(path.join(runDir, 'app.log'), 'utf8')).toMatch(/badapp stopped/);

    // py-spy's own flame graph (recorded over the same window) tells the same story as the raw counts.
    const svg = await readFlamegraphSvg(path.join(runDir, 'flame.svg'));
    expect(Math.abs(shareOf(svg, 'hash_password', 'self').share - summary.hotspots[0]!.self)).toBeLessThan(0.05);
    // The speedscope export is the raw counts in another format: read back, the same samples and shares.
    expect(summary.artifacts.speedscope).toBe('profile.speedscope.json');
    const exported = await readProfile(path.join(runDir, 'profile.speedscope.json'));
    expect(exported.totalWeight).toBe(summary.samples);
    expect(shareOf(exported, 'hash_password', 'self').share).toBeCloseTo(summary.hotspots[0]!.self, 6);
  });

  test('as a vitest scenario: the matchers read the same evidence', async ({ signal, out }) => {
    const outcome = await runScenario(cpuHotspot, { target: 'local', durationS: 4, outDir: out, signal });
    expect(outcome.summary).toPassVerdicts();
    expect(outcome.profile).toHaveHotspot(/^hash_password \(badapp\/hashing\.py/, { atLeast: 0.8, top: true });
    expect(outcome.profile).toHaveHotspot('do_GET', { by: 'total', atLeast: 0.8 });
    expect(outcome.exitCode).toBe(0);
  });

  test('a verdict that does not hold exits 1 and shows where the time went instead', async ({ out }) => {
    const r = await holistic(['run', path.join(fixtures, 'scenarios', 'healthz-only.ts'), '--target', 'local', '--out', out]);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stdout).toMatch(/^FAIL hotspot hash_password: expected self share >= 80%; got not in the profile/m);
    const summary = await readSummary(await runFolder(out));
    expect(summary.verdict).toBe('fail');
    expect(summary.verdicts[0]!.details![0]).toBe('top frames by self share:');
  });
});

describe('bad starts and missing permissions on the local target', () => {
  test('an app that cannot start exits 3 with its last log lines', async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot', '--target', 'local', '--out', out, '--app-env', 'BADAPP_BCRYPT_ROUNDS=banana']);
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toContain('bad-app did not start on the local target: the app exited before it became healthy');
    expect(r.stderr).toContain("badapp: BADAPP_BCRYPT_ROUNDS='banana' is not an integer");
    const summary = await readSummary(await runFolder(out));
    expect(summary.verdict).toBe('fail');
    expect(summary.error).toMatch(/did not start/);
  });

  test('py-spy without CAP_SYS_PTRACE on a non-dumpable app exits 3 naming the capability', async ({ out }) => {
    const r = await holistic(['run', path.join(fixtures, 'scenarios', 'undumpable.ts'), '--target', 'local', '--out', out], {
      // Root without CAP_SYS_PTRACE: what a debug container without the `general` profile has.
      prefix: ['setpriv', '--inh-caps=-sys_ptrace', '--bounding-set=-sys_ptrace', '--'],
    });
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/py-spy is not permitted to attach to pid 1: it needs the SYS_PTRACE capability/);
    expect(r.stderr).toMatch(/To grant it: .*root/);
    const summary = await readSummary(await runFolder(out));
    expect(isAlive(summary.app.hostPid)).toBe(false);
  });

  test('Ctrl-C mid-profile: exit 130, a summary marked interrupted, nothing left running', async ({ out }) => {
    const child = holistic(['run', 'cpu-hotspot', '--target', 'local', '--duration', '60', '--out', out]);
    const r = await interruptWhen(child, 'load: autocannon', 1500);
    expect(r.exitCode, r.all).toBe(130);
    const summary = await readSummary(await runFolder(out));
    expect(summary).toMatchObject({ verdict: 'fail', interrupted: true });
    expect(summary.durations.profile_s).toBeLessThan(30);
    expect(isAlive(summary.app.hostPid)).toBe(false);
    expect(existsSync(path.join(await runFolder(out), 'report.html'))).toBe(true);
  });
});

describe('any Python app, not only bad-app', () => {
  test('an app that closes every connection gets a warning that latencies are mis-timed', async ({ out }) => {
    const r = await holistic(['run', path.join(fixtures, 'scenarios', 'closing-server.ts'), '--target', 'local', '--out', out]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stderr).toMatch(/warning: http-server closes the connection after each response \(HTTP\/1\.0\)/);
    const summary = await readSummary(await runFolder(out));
    // Other warnings (the observer effect, busy neighbours) depend on the machine; this one on the app.
    const keepAlive = summary.warnings.filter((w) => /closes the connection/.test(w));
    expect(keepAlive).toHaveLength(1);
    expect(keepAlive[0]).toMatch(/Serve HTTP\/1\.1 with keep-alive/);
    expect(summary.hotspots).toEqual([]);
  });

  test('a weighted mix of request kinds: connections split 3:1:1, each kind measured on its own, the totals add up', async ({ out }) => {
    const r = await holistic(['run', path.join(fixtures, 'scenarios', 'shop-mix.ts'), '--target', 'local', '--out', out]);
    expect(r.exitCode, r.all).toBe(0);
    const summary = await readSummary(await runFolder(out));
    expect(summary.load!.kinds!.map((k) => [k.name, k.connections])).toEqual([['search', 3], ['report', 1], ['order', 1]]);
    // The report is the slow one: fewer requests on its one connection than search on each of its three.
    const [search, report] = summary.load!.kinds!;
    expect(report!.p50_ms).toBeGreaterThan(search!.p50_ms);
  });

  test('such an app is measured right: a connection per request, latencies near the 200 ms it takes (not 2 s)', async ({ out }) => {
    const r = await holistic(['run', path.join(fixtures, 'scenarios', 'closing-slow.ts'), '--target', 'local', '--out', out]);
    expect(r.exitCode, r.all).toBe(0);
    const summary = await readSummary(await runFolder(out));
    expect(summary.load).toMatchObject({ connection_per_request: true, errors: 0 });
    expect(summary.load!.p50_ms).toBeGreaterThanOrEqual(195);
    expect(summary.load!.p50_ms).toBeLessThan(500);
    expect(summary.load!.requests).toBeGreaterThan(20);
  });
});
