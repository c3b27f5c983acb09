/**
 * Interruptions and faults on every target: SIGINT or SIGTERM at each phase (deploy, attach, profile, copy,
 * report; with random timing inside it),
 * the app dying mid-profile, two runs at once. After each: the contract's exit code, a summary that says what
 * happened, and nothing left — no process, container, pod or namespace of the run, and no temp file outside
 * the output folder (each run gets its own TMPDIR, which must be empty afterwards).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { detectEngine } from '../../harness/targets/engine.js';
import { holistic, interruptWhen, isAlive, leftBehind, readSummary, runFolder, test } from '../helpers.js';

const engine = await detectEngine().catch(() => undefined);
const kubeconfig = process.env.HOLISTIC_KUBECONFIG;

type Target = 'local' | 'container' | 'kube';

/** Run the CLI with its own TMPDIR; interrupt it at `marker` when given. `pauseAt` sets HOLISTIC_PAUSE_AT. */
async function runWith(target: Target, out: string, options: { marker?: string; signal?: 'SIGINT' | 'SIGTERM'; delayMs?: number; args?: string[]; pauseAt?: string } = {}) {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'holistic-tmpdir-'));
  const env: Record<string, string> = { TMPDIR: tmp, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}), ...(options.pauseAt ? { HOLISTIC_PAUSE_AT: options.pauseAt } : {}) };
  const child = holistic(['run', 'cpu-hotspot', '--target', target, '--out', out, ...(options.args ?? [])], { env });
  const result = options.marker ? await interruptWhen(child, options.marker, options.delayMs ?? 0, 180_000, options.signal) : await child;
  const tmpLeft = await tmpLeftovers(tmp);
  await rm(tmp, { recursive: true, force: true });
  return { result, tmpLeft };
}

/** What a run left in its TMPDIR. tsx keeps its compile cache there (tsx-<uid>): the runner's, kept on purpose. */
async function tmpLeftovers(tmp: string): Promise<string[]> {
  return (await readdir(tmp)).filter((name) => !/^tsx-\d+$/.test(name));
}

/**
 * Where each run is interrupted: the phase, the progress line that says it began, and for the windows that
 * last milliseconds (copying the profile out, writing the report) the failpoint that holds the run there.
 * During the scenario's body a run is long (--duration 30); after it, short.
 */
interface Window {
  phase: string;
  marker: string;
  pauseAt?: string;
}
const body = (phase: string, marker: string): Window => ({ phase, marker });
const held = (phase: 'copy' | 'report'): Window => ({ phase, marker: `held at ${phase}`, pauseAt: `${phase}:4000` });
const windows: Record<Target, Window[]> = {
  local: [body('deploy', 'starting bad-app'), body('attach', 'debug session:'), body('profile', 'py-spy record'), held('copy'), held('report')],
  container: [body('deploy', 'starting bad-app as container'), body('attach', 'debug container '), held('copy'), held('report')],
  kube: [body('deploy', 'pod holistic-'), body('attach', 'ephemeral container '), held('copy'), held('report')],
};
const available: Record<Target, boolean> = { local: true, container: Boolean(engine), kube: Boolean(kubeconfig) };

for (const target of ['local', 'container', 'kube'] as const) {
  describe.skipIf(!available[target])(`interrupted on ${target}`, () => {
    // SIGINT and SIGTERM reach the same stop() (bin/holistic.js): on local every window with SIGINT, and SIGTERM in
    // the profile window, proves both handlers; the other targets take SIGTERM (what CI runners and kubectl send).
    const signals = target === 'local' ? (['SIGINT', 'SIGTERM'] as const) : (['SIGTERM'] as const);
    for (const signal of signals) {
      for (const { phase, marker, pauseAt } of windows[target].filter((w) => !(target === 'local' && signal === 'SIGTERM' && w.phase !== 'profile'))) {
        test(`${signal} during ${phase}: exit 130, summary marked interrupted, nothing left`, async ({ out }) => {
          const delayMs = Math.floor(Math.random() * 800);
          const args = pauseAt ? ['--duration', '3', '--unprofiled', '0'] : ['--duration', '30'];
          const { result, tmpLeft } = await runWith(target, out, { marker, signal, delayMs, args, pauseAt });
          const context = `${signal} ${delayMs} ms after "${marker}"\n${result.all}`;
          expect(result.exitCode, context).toBe(130);
          const folder = await runFolder(out);
          const summary = await readSummary(folder);
          expect(summary.interrupted, context).toBe(true);
          expect(summary.verdict, context).toBe('fail');
          expect(existsSync(path.join(folder, 'report.html'))).toBe(true);
          expect(isAlive(summary.app.hostPid), context).toBe(false);
          expect(await leftBehind(target, summary), context).toEqual([]);
          expect(tmpLeft, context).toEqual([]);
          if (phase === 'copy') {
            // Stopped while the profile was still inside the debug session: no profile, and it says why.
            expect(summary.error, context).toMatch(/^interrupted/);
            expect(existsSync(path.join(folder, 'profile.txt')), context).toBe(false);
          }
          if (phase === 'report') {
            // Everything was collected: the record keeps it all, and still says the run was stopped.
            expect(summary.error, context).toMatch(/interrupted after the scenario finished \(SIG(INT|TERM)\); what it collected is complete/);
            expect(summary.hotspots[0]?.name, context).toBe('hash_password');
            expect(summary.verdicts.length, context).toBeGreaterThan(0);
            expect(summary.verdicts.every((v: { pass: boolean }) => v.pass), context).toBe(true);
            expect(existsSync(path.join(folder, 'profile.txt')), context).toBe(true);
          }
        });
      }
    }
  });
}

describe.skipIf(!available.local)('forced quit', () => {
  test('a second SIGTERM while the report is written: exit 130 at once, no half-written file, nothing running', async ({ out }) => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'holistic-tmpdir-'));
    const child = holistic(['run', 'cpu-hotspot', '--target', 'local', '--duration', '3', '--unprofiled', '0', '--out', out], {
      env: { TMPDIR: tmp, HOLISTIC_PAUSE_AT: 'report:4000' },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const seen = stderr.includes('held at report');
      stderr += chunk.toString();
      if (!seen && stderr.includes('held at report')) {
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGTERM'), 300);
      }
    });
    const r = await child;
    expect(r.exitCode, r.all).toBe(130);
    expect(r.stderr).toMatch(/SIGTERM: stopping and cleaning up \(again to force quit\)/);
    const folder = await runFolder(out);
    const files = await readdir(folder);
    // Forced out before the report: the profile is there, no summary (rather than half of one).
    expect(files, r.all).toContain('profile.txt');
    expect(files.filter((f) => /summary\.json|report\.html|junit\.xml|partial/.test(f)), r.all).toEqual([]);
    const pid = Number(/\(pid (\d+)\) at http/.exec(r.stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
    expect(await tmpLeftovers(tmp)).toEqual([]);
    await rm(tmp, { recursive: true, force: true });
  });
});

describe('faults', () => {
  test('the app dies while py-spy records: exit 4, the message says the app stopped, nothing left', async ({ out }) => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'holistic-tmpdir-'));
    const child = holistic(['run', 'cpu-hotspot', '--target', 'local', '--duration', '20', '--out', out], { env: { TMPDIR: tmp } });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const pid = /\(pid (\d+)\) at http/.exec(stderr)?.[1];
      if (pid && stderr.includes('py-spy record')) {
        stderr += '\n[test: killed]';
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    const r = await child;
    expect(r.exitCode, r.all).toBe(4);
    expect(r.stderr).toMatch(/bad-app stopped running during the scenario \(local process .*\); what failed then: /);
    const summary = await readSummary(await runFolder(out));
    expect(summary.verdict).toBe('fail');
    expect(summary.error).toMatch(/stopped running during the scenario/);
    expect(await tmpLeftovers(tmp)).toEqual([]);
    await rm(tmp, { recursive: true, force: true });
  });
});

for (const target of ['local', 'container', 'kube'] as const) {
  describe.skipIf(!available[target])(`two runs at once on ${target}`, () => {
    test('both pass, in their own folders, ports and names, and leave nothing', async ({ out }) => {
      const [a, b] = await Promise.all([runWith(target, path.join(out, 'a'), { args: ['--duration', '6'] }), runWith(target, path.join(out, 'b'), { args: ['--duration', '6'] })]);
      expect(a.result.exitCode, a.result.all).toBe(0);
      expect(b.result.exitCode, b.result.all).toBe(0);
      const [sa, sb] = [await readSummary(await runFolder(path.join(out, 'a'))), await readSummary(await runFolder(path.join(out, 'b')))];
      expect(sa.runId).not.toBe(sb.runId);
      expect(sa.app.url).not.toBe(sb.app.url);
      expect(sa.app.description).not.toBe(sb.app.description);
      for (const s of [sa, sb]) expect(await leftBehind(target, s)).toEqual([]);
    });
  });
}
