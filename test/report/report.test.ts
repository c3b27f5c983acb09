import { describe, expect, test } from 'vitest';
import { hotspots } from '../../harness/assert/hotspot.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';
import { renderReport } from '../../harness/report/html.js';
import { renderJunit } from '../../harness/report/junit.js';
import type { RunSummary } from '../../harness/report/summary.js';

// A profile whose function and file names try to break out of HTML, SVG, JSON-in-script and XML.
const hostile = '<script>alert("x")</script>';
const profile = parsePySpyRaw(
  `main (app.py:1);${hostile} (</script><img src=x onerror=alert(1)>.py:2) 9\nmain (app.py:1);ok (a&b.py:3) 1\n`,
  'hostile.txt',
);

function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    schema: 1,
    runId: 'r1',
    scenario: 'cpu-hotspot',
    target: 'local',
    verdict: 'fail',
    verdicts: [
      { name: `hotspot ${hostile}`, pass: false, expected: 'self share >= 80%', actual: `10% & "less"`, details: ['1. <b>frame</b>'] },
      { name: 'load without errors', pass: true, expected: '0 errors', actual: '0 errors' },
    ],
    hotspots: hotspots(profile),
    samples: profile.totalWeight,
    load: { generator: 'autocannon', url: 'http://127.0.0.1:1/', connections: 2, duration_s: 5, requests: 40, rps: 8, p50_ms: 210, p90_ms: 230, p99_ms: 250, max_ms: 260, errors: 0, timeouts: 0, non2xx: 0 },
    observer: null,
    app: { name: 'bad-app', url: 'http://127.0.0.1:1', description: 'local process' },
    debugContainer: { image: null, capabilities: ['SYS_PTRACE'], privileged: false },
    durations: { setup_s: 1, profile_s: 5, teardown_s: 0.2 },
    artifacts: { profile: 'profile.txt', report: 'report.html' },
    warnings: [`app said ${hostile}`],
    environment: { engine: 'podman 4.3.1', 'app image': `localhost/badapp:latest ${hostile}` },
    threads: [{ id: '1', name: hostile, status: 'idle', idle: true, frames: [`select (${hostile}.py:1)`] }],
    startedAt: '2026-11-27T00:00:00.000Z',
    options: { durationS: 5, appEnv: {} },
    ...overrides,
  };
}

describe('report.html', () => {
  const html = renderReport(summary(), profile);

  test('nothing that came from the profile or the app is left unescaped', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // Exactly one <script> element: the JSON data block, whose content cannot close it.
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    const json = html.slice(html.indexOf('id="summary">') + 'id="summary">'.length, html.indexOf('</script>'));
    expect(JSON.parse(json).verdicts[0].name).toBe(`hotspot ${hostile}`);
  });

  test('self-contained: no external resources to fetch', () => {
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  test('shows the verdict, the hotspots with shares, the load and the flame graph', () => {
    expect(html).toContain('<span class="badge fail">FAIL</span>');
    expect(html).toMatch(/90\.0%/); // the hostile frame is 9 of 10 samples
    expect(html).toContain('8 req/s');
    expect(html).toMatch(/<svg [^>]*aria-label="flame graph"/);
    expect(html).toContain('<title>all — 10 samples, 100.00% (self 0)</title>');
  });

  test('where it ran and the thread dump are shown, escaped', () => {
    expect(html).toContain('<th>engine</th><td class="mono">podman 4.3.1</td>');
    expect(html).toMatch(/Thread dump/);
    expect(html).toContain('select (&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.py:1)');
  });

  test('an interrupted run says so', () => {
    expect(renderReport(summary({ interrupted: true, error: 'interrupted: SIGINT' }), undefined)).toContain('This run was interrupted');
  });
});

describe('junit.xml', () => {
  test('one testcase per verdict, failures with the message, everything escaped', () => {
    const xml = renderJunit(summary());
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('tests="2" failures="1" errors="0"');
    expect(xml).toContain('<failure message="expected self share &gt;= 80%; got 10% &amp; &quot;less&quot;">');
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('<b>');
  });

  test('a run error is an error testcase', () => {
    const xml = renderJunit(summary({ verdicts: [], error: 'bad-app did not start\nlast lines' }));
    expect(xml).toContain('errors="1"');
    expect(xml).toContain('<error message="bad-app did not start">');
  });
});
