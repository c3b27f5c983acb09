/** What CI systems read: junit.xml well-formed with one testcase per verdict, a markdown step summary. */
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { projectRoot } from '../../harness/paths.js';
import { renderJunit } from '../../harness/report/junit.js';
import { renderMarkdown } from '../../harness/report/markdown.js';
import type { RunSummary } from '../../harness/report/summary.js';

const hostile = '</td>|`x`<img src=x onerror=alert(1)>\nnext';
const summary: RunSummary = {
  schema: 1, runId: 'r1', scenario: 'cpu-hotspot', target: 'local', verdict: 'fail',
  verdicts: [
    { name: 'hotspot hash_password', pass: true, expected: 'self share >= 80%', actual: '99.9%' },
    { name: 'cpu per request vs baseline', pass: false, expected: 'rise <= 25.0% vs baseline', actual: `regressed: +100.0% ${hostile}` },
  ],
  hotspots: [{ name: hostile, file: 'a|b.py', self: 0.9, total: 1, samples: 90 }],
  samples: 100,
  load: { generator: 'autocannon', url: 'u', connections: 2, duration_s: 4, requests: 30, rps: 7.5, p50_ms: 210, p90_ms: 230, p99_ms: 250, max_ms: 260, errors: 0, timeouts: 0, non2xx: 0 },
  observer: {
    unprofiled: { duration_s: 2, requests: 18, rps: 9, p50_ms: 210, p99_ms: 220 },
    profiled: { duration_s: 4, requests: 30, rps: 7.5, p50_ms: 212, p99_ms: 250 },
    rps_ratio: 0.833, p99_ratio: 1.136, p50_ratio: 1.01, sampling: { mode: 'nonblocking', samplers: 2, rate_hz: 100 },
  },
  app: { name: 'bad-app', url: 'u', description: 'd' },
  debugContainer: null,
  durations: { setup_s: 1, profile_s: 4, teardown_s: 0.2 },
  artifacts: {}, warnings: [`w ${hostile}`], environment: {}, startedAt: '2026-11-27T00:00:00.000Z', options: { duration_s: 4, app_env: {} },
};

describe('CI outputs', () => {
  test('junit.xml: one testcase per verdict, failures counted, well-formed XML', async () => {
    const xml = renderJunit(summary);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toMatch(/<testsuites name="holistic" tests="2" failures="1" errors="0"/);
    expect(xml).toMatch(/<testcase classname="holistic\.cpu-hotspot\.local" name="cpu per request vs baseline" time="0"><failure message="expected rise &lt;= 25\.0% vs baseline; got regressed: \+100\.0% /);
    const file = path.join(os.tmpdir(), `holistic-junit-${process.pid}.xml`);
    await writeFile(file, xml);
    // Validated against the JUnit structure CI systems read (test/samples/junit.xsd) by libxml2's xmllint
    // (Debian libxml2-utils; .ci/run installs it).
    const lint = await execa('xmllint', ['--noout', '--schema', path.join(projectRoot, 'test', 'samples', 'junit.xsd'), file], { reject: false, timeout: 30_000 });
    expect(lint.exitCode, lint.stderr).toBe(0);
  });

  test('the markdown summary has the verdicts and the observer effect, with profile text escaped', () => {
    const md = renderMarkdown(summary, 'reports/r1/report.html');
    expect(md).toMatch(/^### ❌ holistic: cpu-hotspot on local — FAIL$/m);
    expect(md).toMatch(/^\| ❌ \| cpu per request vs baseline \| rise &lt;= 25\.0% vs baseline \| regressed: \+100\.0% /m);
    expect(md).toContain('**Observer effect** (profiled / unprofiled, py-spy nonblocking, 2 samplers): throughput ×0.83, p99 ×1.14');
    // A frame name cannot end the table cell, open a tag, or start a new line.
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;/td&gt;\\|\\`x\\`&lt;img src=x onerror=alert(1)&gt; next');
    expect(md.split('\n').filter((l) => l.startsWith('| ')).every((l) => l.split(/(?<!\\)\|/).length === 6)).toBe(true);
  });
});
