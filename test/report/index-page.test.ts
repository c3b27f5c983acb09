import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { renderIndex, trends, writeIndex } from '../../harness/report/index-page.js';

const hostile = '<img src=x onerror=alert(1)>';
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function outFolder(runs: Record<string, object | string>): Promise<string> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'holistic-index-'));
  dirs.push(out);
  for (const [dir, summary] of Object.entries(runs)) {
    await mkdir(path.join(out, dir));
    await writeFile(path.join(out, dir, 'summary.json'), typeof summary === 'string' ? summary : JSON.stringify(summary));
  }
  return out;
}

describe('<out>/index.html', () => {
  test('lists every run newest first with its verdict, links to each report, and escapes what runs contain', async () => {
    const out = await outFolder({
      'old-run': { scenario: 'cpu-hotspot', target: 'local', verdict: 'pass', startedAt: '2026-11-01T10:00:00.000Z', hotspots: [{ name: 'hash_password', self: 0.97 }] },
      'new-run': { scenario: `evil ${hostile}`, target: 'container', verdict: 'fail', startedAt: '2026-11-02T10:00:00.000Z', error: `boom ${hostile}\nmore`, hotspots: [] },
      'half-written': '{"scenario": ',
    });
    await mkdir(path.join(out, 'not-a-run'));
    const html = await readFile(await writeIndex(out), 'utf8');
    expect(html).toContain('2 runs, 1 passed');
    expect(html.indexOf('new-run/report.html')).toBeLessThan(html.indexOf('old-run/report.html'));
    expect(html).toContain('<a class="strong" href="old-run/report.html">cpu-hotspot</a>');
    expect(html).toContain('hash_password <span class="muted">97.0%</span>');
    expect(html).not.toContain('<img');
    expect(html).toContain('evil &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('more');
    // One script only: the column sort, allowed by its hash.
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  test('an empty output folder still gets a page', async () => {
    const html = await readFile(await writeIndex(await outFolder({})), 'utf8');
    expect(html).toContain('No runs yet.');
  });
});

describe('the index as a dashboard', () => {
  const run = (dir: string, startedAt: string, cpu: number, p99: number, extra: object = {}) => ({
    dir,
    summary: {
      scenario: 'cpu-hotspot', target: 'local', verdict: 'pass' as const, startedAt,
      options: { duration_s: 5, app_env: {} }, observer: { sampling: { mode: 'nonblocking' } },
      load: { app_cpu_ms_per_request: cpu, p99_ms: p99, rps: 4, others_cores: 0.2 }, hotspots: [{ name: 'hash_password', self: 0.97 }],
      ...extra,
    } as never,
  });

  test('a costlier run is flagged against the previous comparable one; other settings are marked not comparable', () => {
    const groups = trends([
      run('a', '2026-11-01T10:00:00Z', 200, 900),
      run('b', '2026-11-01T11:00:00Z', 410, 2000),
      run('c', '2026-11-01T12:00:00Z', 800, 3000, { options: { duration_s: 5, app_env: { BADAPP_BCRYPT_ROUNDS: '13' } } }),
      run('d', '2026-11-01T13:00:00Z', 420, 2100, { load: { app_cpu_ms_per_request: 420, p99_ms: 2100, rps: 4, others_cores: 1.7 } }),
    ]);
    const points = groups.get('cpu-hotspot on local')!;
    expect(points.map((p) => p.entry.dir)).toEqual(['a', 'b', 'c', 'd']);
    expect(points[1]!.changes).toEqual([{ text: 'CPU/request +105%', worse: true, comparable: true }, { text: 'p99 ×2.22', worse: true, comparable: true }]);
    // No earlier run with these settings: the change vs the previous run is shown, marked as not comparable.
    expect(points[2]!.notComparable).toEqual(['app env none → BADAPP_BCRYPT_ROUNDS=13']);
    expect(points[2]!.changes).toEqual([{ text: 'CPU/request +95%', worse: true, comparable: false }]);
    // d is compared with b (same settings), CPU only: its neighbours were busy.
    expect(points[3]!.notComparable).toEqual(['app env BADAPP_BCRYPT_ROUNDS=13 → none']);
    expect(points[3]!.changes).toEqual([]);
    expect(points[3]!.caveat).toMatch(/busy neighbours .*p99 not compared/);
    const html = renderIndex([...groups.get('cpu-hotspot on local')!].reverse().map((p) => p.entry));
    expect(html).toContain('<span class="badge fail" title="vs the previous comparable run">CPU/request +105%</span>');
    expect(html).toContain('aria-label="CPU per request over runs"');
  });
});
