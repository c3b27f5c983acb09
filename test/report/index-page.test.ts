import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { writeIndex } from '../../harness/report/index-page.js';

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
    expect(html.indexOf('new-run')).toBeLessThan(html.indexOf('old-run'));
    expect(html).toContain('<a class="strong" href="old-run/report.html">cpu-hotspot</a>');
    expect(html).toContain('hash_password <span class="muted">97.0%</span>');
    expect(html).not.toContain('<img');
    expect(html).toContain('evil &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('more');
    expect(html).not.toMatch(/<script/);
  });

  test('an empty output folder still gets a page', async () => {
    const html = await readFile(await writeIndex(await outFolder({})), 'utf8');
    expect(html).toContain('No runs yet.');
  });
});
