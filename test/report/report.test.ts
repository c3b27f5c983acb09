import { describe, expect, test } from 'vitest';
import { hotspots } from '../../harness/assert/hotspot.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';
import { wilson } from '../../harness/report/confidence.js';
import { flameScript } from '../../harness/report/flamegraph.js';
import { contentSecurityPolicy, renderReport } from '../../harness/report/html.js';
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
    options: { duration_s: 5, app_env: {} },
    ...overrides,
  };
}

describe('report.html', () => {
  const html = renderReport(summary(), profile);

  test('nothing that came from the profile or the app is left unescaped', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // Two <script> elements: the JSON data block, whose content cannot close it, and the page's own code.
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    const json = html.slice(html.indexOf('id="summary">') + 'id="summary">'.length, html.indexOf('</script>'));
    expect(JSON.parse(json).verdicts[0].name).toBe(`hotspot ${hostile}`);
    expect(html).toContain(`<script>${flameScript}</script>`);
    // Hostile names reach the flame graph only as escaped attribute and title text.
    expect(html).toContain('data-n="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; (&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;.py:2)"');
  });

  test("a Content-Security-Policy lets only the page's own script run and forbids every fetch", () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">`);
    expect(contentSecurityPolicy).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+';/);
  });

  test('artifact links stay relative: a scheme (javascript:, http:) is not linked', () => {
    const page = renderReport(summary({ artifacts: { evil: 'javascript:alert(1)', remote: '//example.invalid/x', ok: 'memray flame.html' } }), profile);
    expect(page).not.toContain('href="javascript:');
    expect(page).not.toContain('href="//');
    expect(page).toContain('<a href="memray%20flame.html">ok</a> <span class="muted mono">memray flame.html</span>');
  });

  test('self-contained: no external resources to fetch', () => {
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  test('shows the verdict, the hotspots with shares, the load and the flame graph', () => {
    expect(html).toContain('<span class="badge big fail">FAIL</span>');
    expect(html).toMatch(/90\.0%/); // the hostile frame is 9 of 10 samples
    expect(html).toContain('<b>8 req/s</b>');
    expect(html).toMatch(/<svg [^>]*aria-label="flame graph: arrow keys move/);
    expect(html).toContain('<title>all — 10 samples, 100.00% (self 0)</title>');
  });

  test('where it ran and the thread dump are shown, escaped', () => {
    expect(html).toContain('<th>engine</th><td><span class="mono">podman 4.3.1</span></td>');
    expect(html).toMatch(/Thread dump/);
    expect(html).toContain('select (&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.py:1)');
  });

  test('hotspot shares carry a Wilson 95% interval', () => {
    // 9 of 10 samples: Wilson gives 59.6% .. 98.2%.
    expect(html).toContain('59.6% – 98.2%');
    const w = wilson(81, 263);
    expect(w.low).toBeCloseTo(0.2553, 3);
    expect(w.high).toBeCloseTo(0.3662, 3);
  });

  test('throughput and latency per second become a chart; without a timeline the page says so', () => {
    const timeline = [0, 1, 2].map((t) => ({ t_s: t, span_s: 1, requests: 10 + t, rps: 10 + t, p50_ms: 100, p99_ms: 180 + t, max_ms: 200, non2xx: 0 }));
    const withChart = renderReport(summary({ load: { ...summary().load!, timeline } }), profile);
    expect(withChart).toMatch(/<svg [^>]*aria-label="throughput and latency per second"/);
    expect(withChart.match(/<rect class="rps prof"/g)).toHaveLength(3);
    // 12 requests place a p50 but not a p99: the tip and the lines say only what the second can support.
    expect(withChart).toContain('<title>2–3 s: 12 requests (12 req/s), p50 100 ms, max 200 ms</title>');
    expect(withChart).toContain('<path class="p50"');
    expect(withChart).not.toContain('<path class="p99"');
    // Round ticks on the left axis: 0, 5, 10, 15.
    expect(withChart).toMatch(/text-anchor="end">15<\/text>/);
    expect(html).toContain('No per-second samples were recorded');
  });

  test('observer effect and baseline sections appear only when summary.json has them', () => {
    // observer: null (the run stopped before the profiled phase): said so, not hidden.
    expect(html).toMatch(/<section id="observer">.*Not measured in this run/s);
    expect(html).not.toContain('id="baseline"');
    const observer = {
      unprofiled: { duration_s: 3, requests: 30, rps: 10, p50_ms: 100, p99_ms: 150 },
      profiled: { duration_s: 3, requests: 24, rps: 8, p50_ms: 120, p99_ms: 210 },
      rps_ratio: 0.8,
      p50_ratio: 1.2,
      p99_ratio: 1.4,
      sampling: { mode: 'nonblocking', samplers: 2, rate_hz: 100 },
    };
    const baseline = {
      file: 'base.json',
      createdAt: '2026-11-26T00:00:00Z',
      runId: 'old-run',
      environmentDifferences: [],
      comparisons: [
        { key: 'p99', metric: 'latency p99', gated: true, outcome: 'regressed', baseline: 150, current: 210, change: 0.4, low: 0.2, high: 0.6, threshold: 0.25, unit: 'relative', method: 'bootstrap' },
        { key: 'hotspots', metric: `self share of ${hostile}`, gated: false, outcome: 'pass', baseline: 0.5, current: 0.4, change: -0.1, low: -0.15, high: -0.05, threshold: 0.1, unit: 'points', method: 'newcombe' },
      ],
    };
    const page = renderReport({ ...summary(), observer, baseline } as RunSummary, profile);
    expect(page).toContain('<section id="observer">');
    expect(page).toContain('×0.80');
    expect(page).toContain('<section id="baseline">');
    expect(page).toMatch(/What grew<\/h3>.*latency p99.*\+40\.0%/s);
    expect(page).toMatch(/What shrank<\/h3>.*-10\.0 pt/s);
    expect(page).not.toContain(`self share of ${hostile}`);
    // An unknown shape is still shown, escaped.
    expect(renderReport({ ...summary(), observer: { note: hostile } } as unknown as RunSummary, profile)).toContain('&lt;script&gt;alert');
  });

  test('a mix of request kinds gets one row per kind: name escaped, requests, p50/p99, errors', () => {
    const kinds = [
      { name: 'GET /search', connections: 2, requests: 120, rps: 24, p50_ms: 41, p90_ms: 60, p99_ms: 88, errors: 0, non2xx: 0 },
      { name: 'POST /order<script>', connections: 1, requests: 30, rps: 6, p50_ms: 310, p90_ms: 400, p99_ms: 520, errors: 2, non2xx: 1 },
    ];
    const page = renderReport(summary({ load: { ...summary().load!, kinds } }), profile);
    const table = page.match(/<table class="grid-table" id="load-kinds">(.*?)<\/table>/s)?.[1] ?? '';
    const rows = [...table.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) => [...m[1]!.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => c[1]));
    expect(rows[0]).toEqual(['kind', 'connections', 'requests', 'req/s', 'p50', 'p90', 'p99', 'errors', 'non-2xx']);
    expect(rows[1]).toEqual(['GET /search', '2', '120', '24', '41 ms', '60 ms', '88 ms', '0', '0']);
    expect(rows[2]).toEqual(['POST /order&lt;script&gt;', '1', '30', '6', '310 ms', '400 ms', '520 ms', '2', '1']);
    expect(table).toContain('<td class="num worse">2</td>');
    // One request kind (no mix) shows no such table.
    expect(renderReport(summary(), profile)).not.toContain('id="load-kinds"');
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

describe('report.html from a sparse summary', () => {
  test('an old or early-stopped summary without most fields still renders every section it can', () => {
    const sparse = { schema: 1, runId: 'r0', scenario: 'x', target: 'local', verdict: 'fail', error: 'bad-app did not start' } as unknown as RunSummary;
    const html = renderReport(sparse, undefined);
    expect(html).toContain('<b>The run failed:</b>');
    expect(html).toContain('No verdict was reached.');
    expect(html).toContain('No profile was recorded.');
    expect(html).toContain('No load was run.');
  });
});

describe('report.html: what the shares rest on', () => {
  test('truncated stacks, the GIL finding and blocking idle leaves are stated with their numbers', () => {
    const blocking = parsePySpyRaw('<module> (app.py:1);serve (app.py:2);select (selectors.py:3) 25\n<module> (app.py:1);work (app.py:4) 75\n', 'b.txt');
    const page = renderReport(
      { ...summary({ truncated_fraction: 0.062, truncated_repaired_fraction: 0.05, truncated_unrepaired_fraction: 0.012, gil: { held: 0.6, waiting: 0.4, samples: 100, gil_samples: 60 } }), observer: { sampling: { mode: 'blocking', samplers: 1, rate_hz: 100 } } } as unknown as RunSummary,
      blocking,
    );
    const notes = /<section id="profile-notes">[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(notes).toMatch(/Truncated stacks: 6\.2% of samples had no thread root.*5\.0% were re-rooted.*1\.2% left/);
    expect(notes).toMatch(/GIL: 60\.0% of active samples held the GIL, 40\.0% were active without it.*<b>The app is GIL-bound<\/b>/);
    expect(notes).toMatch(/Blocking sampling: .* 25\.0% of samples had a standard-library wait/);
    const quiet = renderReport(summary({ gil: { held: 0.9, waiting: 0.1, samples: 100, gil_samples: 90 } }), profile);
    expect(quiet).toMatch(/not GIL-bound/);
    expect(quiet).not.toMatch(/Truncated stacks|Blocking sampling/);
  });
});
