/**
 * The report as a person meets it: a real run on the local target, opened in Debian's chromium through
 * playwright-core with every request observed. It must load with no console errors and no network, show the
 * verdicts, find the hotspot through the flame graph's search, and zoom. A screenshot is saved next to the
 * report (report.png); set HOLISTIC_SCREENSHOT_DIR to keep a copy after the test's output folder is removed.
 * A second run whose app has hostile function, file and thread names must execute nothing of them.
 */
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { hasChromium, openReport, chromiumPath, type OpenedReport } from '../browser.js';
import { HOSTILE_FUNCTION, HOSTILE_THREAD } from '../fixtures/scenarios/hostile-names.js';
import { fixtures, holistic, readSummary, runFolder, test } from '../helpers.js';
import { renderReport } from '../../harness/report/html.js';
import { readPySpyRaw } from '../../harness/profile/pyspy-raw.js';

// CI installs chromium (.ci/run); elsewhere the test says why it did not run.
const browserTest = hasChromium || process.env.CI ? test : test.skip;
if (!hasChromium && !process.env.CI) console.warn(`report browser tests skipped: no chromium at ${chromiumPath} (apt-get install chromium)`);

async function screenshot(opened: OpenedReport, runDir: string, name: string): Promise<string> {
  const file = path.join(runDir, name);
  await opened.page.screenshot({ path: file, fullPage: true });
  if (process.env.HOLISTIC_SCREENSHOT_DIR) {
    await mkdir(process.env.HOLISTIC_SCREENSHOT_DIR, { recursive: true });
    await copyFile(file, path.join(process.env.HOLISTIC_SCREENSHOT_DIR, name));
  }
  return file;
}

function expectQuiet(opened: OpenedReport) {
  expect(opened.consoleErrors, 'console errors').toEqual([]);
  expect(opened.pageErrors, 'page errors').toEqual([]);
  expect(opened.dialogs, 'dialogs').toEqual([]);
  expect(opened.foreignRequests, 'requests beyond the report file').toEqual([]);
}

describe('report.html in a real browser', () => {
  browserTest('a cpu-hotspot run: verdicts visible, search finds hash_password, zoom works, nothing fetched', async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot', '--target', 'local', '--duration', '5', '--out', out]);
    expect(r.exitCode, r.all).toBe(0);
    // Not a TTY here: progress is plain lines, one per phase, in order.
    expect(r.stderr).toMatch(/\] set-up …[\s\S]*\] deploy …[\s\S]*\] attach …[\s\S]*\] load \+ profile \(5 s\) …[\s\S]*\] teardown …[\s\S]*\] report done in/);
    const runDir = await runFolder(out);
    const opened = await openReport(path.join(runDir, 'report.html'));
    try {
      const { page } = opened;
      await expect.poll(() => page.title()).toMatch(/^PASS cpu-hotspot on local/);
      const verdicts = page.locator('#verdicts');
      expect(await verdicts.isVisible()).toBe(true);
      expect(await verdicts.locator('tbody tr').count()).toBe(2);
      expect(await verdicts.innerText()).toMatch(/PASS\s+hotspot hash_password/i);

      // Search: the hotspot's frames light up and the status says how much of the profile they cover.
      await page.fill('#flame-search', 'hash_password');
      const status = await page.locator('#flame-status').innerText();
      const share = Number(/([\d.]+)% of samples/.exec(status)?.[1]);
      expect(share, status).toBeGreaterThanOrEqual(80);
      expect(await page.locator('#flame-svg g.hit').count()).toBeGreaterThan(0);
      // Every lit frame is a hash_password frame (narrow ones show a truncated label; their title is whole).
      const titles = await page.locator('#flame-svg g.hit title').allTextContents();
      expect(titles.length).toBeGreaterThan(0);
      for (const title of titles) expect(title).toMatch(/^hash_password \(/);

      // Zoom into the hot frame: it spans the whole width; Reset brings the root back.
      await page.locator('#flame-svg g.hit').first().click();
      const zoomedWidth = Number(await page.locator('#flame-svg g.hit rect').first().getAttribute('width'));
      const svgWidth = Number((await page.locator('#flame-svg').getAttribute('viewBox'))!.split(' ')[2]);
      expect(zoomedWidth).toBeGreaterThan(svgWidth - 2);
      expect(await page.locator('#flame-reset').isEnabled()).toBe(true);
      await page.click('#flame-reset');
      expect(await page.locator('#flame-reset').isEnabled()).toBe(false);
      // Keyboard: '/' focuses the search, Escape clears it.
      await page.locator('#flame-svg g.hit').first().click();
      await page.keyboard.press('/');
      expect(await page.locator('#flame-search').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await page.keyboard.press('Escape');
      expect(await page.inputValue('#flame-search')).toBe('');
      expect(await page.locator('#flame-svg g.hit').count()).toBe(0);
      await page.keyboard.press('Escape');
      expect(await page.locator('#flame-reset').isEnabled()).toBe(false);

      // The hotspot table and the load chart are on the page.
      expect(await page.locator('#hotspots tbody tr').first().innerText()).toMatch(/hash_password\s+badapp\/hashing\.py/);
      expect(await page.locator('#load rect.rps').count()).toBeGreaterThanOrEqual(3);
      await page.fill('#flame-search', 'hash_password');
      const png = await screenshot(opened, runDir, 'report.png');
      expect((await stat(png)).size).toBeGreaterThan(50_000);
      expectQuiet(opened);
    } finally {
      await opened.close();
    }

    // The output folder's index lists the run and links to its report.
    const index = await openReport(path.join(out, 'index.html'));
    try {
      const link = index.page.locator('a', { hasText: 'cpu-hotspot' });
      expect(await link.getAttribute('href')).toBe(`${path.basename(runDir)}/report.html`);
      expectQuiet(index);
    } finally {
      await index.close();
    }
  });

  browserTest('hostile function, file and thread names from a real run are shown as text and run nothing', async ({ out }) => {
    const r = await holistic(['run', path.join(fixtures, 'scenarios', 'hostile-names.ts'), '--target', 'local', '--out', out]);
    expect(r.exitCode, r.all).toBe(0);
    const runDir = await runFolder(out);
    const summary = await readSummary(runDir);
    expect(summary.hotspots[0]!.name).toBe(HOSTILE_FUNCTION);
    expect(summary.threads!.some((t) => t.name === HOSTILE_THREAD)).toBe(true);

    const opened = await openReport(path.join(runDir, 'report.html'));
    try {
      const { page } = opened;
      // Nothing injected: no images, no frames, only the page's own two scripts and two SVGs.
      const count = (selector: string) => page.locator(selector).count();
      const counts = {
        img: await count('img, iframe, object, embed'),
        script: await count('script'),
        onload: await count('[onload], [onerror]'),
      };
      expect(counts).toEqual({ img: 0, script: 2, onload: 0 });
      // Only the page's own charts: every SVG is one the renderer draws.
      for (const label of await page.locator('svg').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))))
        expect(label).toMatch(/^(flame graph: |throughput and latency per second$|latency histogram$)/);
      // ... and the names read as the text they are.
      expect(await page.locator('#hotspots tbody tr').first().innerText()).toContain(HOSTILE_FUNCTION);
      expect(await page.locator('#threads').innerText()).toContain(HOSTILE_THREAD);
      // Clicking the hotspot row searches the flame graph for exactly that function.
      await page.locator('#hotspots tbody tr').first().click();
      expect(await page.inputValue('#flame-search')).toContain('<img src=x');
      expect(await page.locator('#flame-status').innerText()).toMatch(/match(es)?: [\d.]+% of samples/);
      await page.locator('#flame-svg g.hit').first().click();
      await page.waitForTimeout(300);
      await screenshot(opened, runDir, 'report-hostile.png');
      expectQuiet(opened);
    } finally {
      await opened.close();
    }
  });

  browserTest('three runs, the last one costlier: report above the fold, flame views, sandwich, load, dashboard, at 1400/1000/400 px light and dark', async ({ out }) => {
    // Two runs at the default cost, then one at bcrypt 13 rounds (about twice the CPU per request).
    for (const env of [[], [], ['--app-env', 'BADAPP_BCRYPT_ROUNDS=13']]) {
      const r = await holistic(['run', 'cpu-hotspot', '--target', 'local', '--duration', '5', '--out', out, ...env]);
      expect(r.exitCode, r.all).toBe(0);
    }
    const runs = (await readdir(out, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(runs).toHaveLength(3);
    const runDir = path.join(out, runs[2]!);
    // The report as run.ts will write it once it passes load-series.json (see the report's integration note).
    const summary = await readSummary(runDir);
    const series = JSON.parse(await readFile(path.join(runDir, 'load-series.json'), 'utf8'));
    await writeFile(path.join(runDir, 'report.html'), renderReport(summary, await readPySpyRaw(path.join(runDir, 'profile.txt')), { series }));

    for (const width of [1400, 1000, 400]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const opened = await openReport(path.join(runDir, 'report.html'), { width, colorScheme });
        try {
          const { page } = opened;
          expect(await page.evaluate<number>('document.documentElement.scrollWidth'), `report overflows at ${width} px`).toBeLessThanOrEqual(width);
          await screenshot(opened, runDir, `report-${width}-${colorScheme}.png`);
          if (width === 400) await page.locator('#flame').screenshot({ path: path.join(runDir, `flame-${width}-${colorScheme}.png`) });
          expectQuiet(opened);
        } finally {
          await opened.close();
        }
      }
    }

    const opened = await openReport(path.join(runDir, 'report.html'), { width: 1400 });
    try {
      const { page } = opened;
      // Above the fold: the top hotspot by its whole name, one click from its frames.
      const top = page.locator('.hot-list a').first();
      expect(await top.innerText()).toBe('hash_password');
      expect((await top.boundingBox())!.y).toBeLessThan(900);
      expect(await page.locator('.card', { hasText: 'CPU per request' }).innerText()).toMatch(/\d+(\.\d+)? ms/);
      const warnings = await page.locator('details.warnings li').allTextContents();
      expect(new Set(warnings.map((w) => w.toLowerCase())).size).toBe(warnings.length);
      for (const w of warnings) expect(w).not.toMatch(/(^|\s)x\d/);
      await top.click();
      expect(await page.locator('#flame-status').innerText()).toMatch(/1 frame matches: (9\d|100)\.\d% of samples/);

      // Merged by function: hash_password is one frame under its one caller, several in the per-line view.
      const hashFrames = (view: string) => page.locator(`g.view[data-view="${view}"] g.fr[data-f="hash_password (badapp/hashing.py)"]`).count();
      expect(await hashFrames('func')).toBe(1);
      expect(await page.locator('.legend').innerText()).toMatch(/the app's code[\s\S]*third-party library[\s\S]*standard library[\s\S]*native/);
      expect(await page.locator('g.view[data-view="func"] g.fr.k-app[data-f="hash_password (badapp/hashing.py)"]').count()).toBe(1);
      expect(await page.locator('g.view[data-view="func"] g.fr.k-std').count()).toBeGreaterThan(3);

      // Focus on my code: the threading/socketserver frames collapse into one labelled node.
      const depth = (view: string) => page.locator(`g.view[data-view="${view}"]`).getAttribute('data-h').then(Number);
      await page.click('.seg button[data-view="app"]');
      expect(await page.locator('g.view[data-view="app"]').isVisible()).toBe(true);
      expect(await depth('app')).toBeLessThan(await depth('func'));
      expect(await page.locator('g.view[data-view="app"] g.fr', { hasText: 'framework frames' }).count()).toBeGreaterThan(0);
      expect(await page.evaluate<string>('location.hash')).toContain('view=app');

      // Sandwich and breadcrumbs: select hash_password; its caller is the handler.
      await page.click('.seg button[data-view="func"]');
      await page.fill('#flame-search', '');
      await page.locator('g.view[data-view="func"] g.fr[data-f="hash_password (badapp/hashing.py)"]').click();
      expect(await page.locator('#flame-sandwich').isVisible()).toBe(true);
      expect(await page.locator('#sw-callers').innerText()).toMatch(/do_GET/);
      expect(await page.locator('#flame-crumbs button').count()).toBeGreaterThan(5);
      expect(await page.evaluate<string>('location.hash')).toMatch(/zoom=\d+/);
      await page.locator('#flame').screenshot({ path: path.join(runDir, 'flame-sandwich.png') });

      // Keyboard: up selects the caller.
      await page.focus('#flame-svg');
      await page.keyboard.press('ArrowUp');
      expect(await page.locator('#flame-detail').innerText()).toMatch(/do_GET/);

      // The zoom survives a reload through the hash; the graph re-lays out at the new width.
      await page.reload();
      expect(await page.locator('#flame-reset').isEnabled()).toBe(true);
      await page.setViewportSize({ width: 700, height: 900 });
      await expect.poll(async () => Number((await page.locator('#flame-svg').getAttribute('viewBox'))!.split(' ')[2])).toBeLessThan(700);

      // Load: round ticks, labelled axes, a log histogram of the saved latencies.
      expect(await page.locator('#load').innerText()).toMatch(/requests \/ s[\s\S]*latency \(ms\)/);
      expect(await page.locator('svg[aria-label="latency histogram"] rect.hist').count()).toBeGreaterThan(0);
      for (const t of await page.locator('svg[aria-label="throughput and latency per second"] text.axis').allTextContents())
        if (/^\d/.test(t)) expect(Number(t) * 1000 % 5 === 0 || Number.isInteger(Number(t) * 10), t).toBe(true);
      // Reproduce: human labels and the speedscope hint.
      const reproduce = await page.locator('#reproduce').innerText();
      // The command line exactly as the CLI received it (summary.options.command_line).
      expect(reproduce).toMatch(/The command that made this run:\s+holistic run cpu-hotspot .*--app-env BADAPP_BCRYPT_ROUNDS=13/);
      expect(reproduce).not.toMatch(/\bappLog\b|\bloadSeries\b/);
      expect(reproduce).toMatch(/speedscope/);
      expect(await page.locator('#environment').innerText()).not.toMatch(/capabilities added/);
      expectQuiet(opened);
    } finally {
      await opened.close();
    }

    // The index: one trend per metric with a point per run; the costlier run flagged.
    for (const width of [1400, 1000, 400]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const index = await openReport(path.join(out, 'index.html'), { width, colorScheme });
        try {
          const { page } = index;
          expect(await page.evaluate<number>('document.documentElement.scrollWidth'), `index overflows at ${width} px`).toBeLessThanOrEqual(width);
          expect(await page.locator('svg[aria-label="CPU per request over runs"] circle').count()).toBe(3);
          expect(await page.locator('svg[aria-label="latency p99 over runs"] circle').count()).toBe(3);
          expect(await page.locator('svg[aria-label="top hotspot share over runs"] circle').count()).toBe(3);
          const newest = page.locator('table.runs tbody tr').first();
          expect(await newest.textContent()).toMatch(/CPU\/request \+\d+%/);
          expect(await newest.textContent()).toMatch(/not comparable[\s\S]*BADAPP_BCRYPT_ROUNDS=13/i);
          await screenshot(index, out, `index-${width}-${colorScheme}.png`);
          expectQuiet(index);
        } finally {
          await index.close();
        }
      }
    }
  });

  browserTest('a planted pure-Python regression against a baseline: red in the report\'s differential flame graph, listed with its interval', async ({ out }) => {
    // The truth app's checksum() at its baseline cost (TRUTH_CHECKSUM=1), then 40x as costly: the planted regression.
    const scenario = path.join(fixtures, 'scenarios', 'truth-diff.ts');
    const baseline = path.join(out, 'baseline.json');
    const saved = await holistic(['run', scenario, '--target', 'local', '--duration', '5', '--out', path.join(out, 'base'), '--save-baseline', baseline]);
    expect(saved.exitCode, saved.all).toBe(0);
    const stored = JSON.parse(await readFile(baseline, 'utf8')) as { collapsed?: string[] };
    expect(stored.collapsed?.some((l) => /;checksum \(threaded_app\.py:\d+\) \d+$/.test(l)), 'the baseline keeps its stacks').toBe(true);

    const slow = path.join(out, 'slow');
    const r = await holistic(['run', scenario, '--target', 'local', '--duration', '5', '--out', slow, '--baseline', baseline, '--app-env', 'TRUTH_CHECKSUM=40']);
    // The hotspot gate fails on checksum's self share (or passes on a profile too small to tell): never a crash.
    expect([0, 1], r.all).toContain(r.exitCode);
    const runDir = await runFolder(slow);
    const summary = await readSummary(runDir);
    const diff = summary.baseline!.profileDiff!;
    if (!diff.stacks) throw new Error(`no profile diff: ${diff.advice}`);
    const grown = diff.changed.find((c) => c.function === 'checksum (threaded_app.py)');
    expect(grown, JSON.stringify(diff.changed.slice(0, 5))).toMatchObject({ kind: 'grew' });
    expect(grown!.low).toBeGreaterThan(0.05);

    const opened = await openReport(path.join(runDir, 'report.html'));
    try {
      const { page } = opened;
      const section = page.locator('#baseline-diff');
      await section.scrollIntoViewIfNeeded();
      expect(await section.isVisible()).toBe(true);
      // The frame a user looks for: checksum, drawn red (hue 0) in this run's view.
      const fill = await section
        .locator('.dview-fwd g.dfr', { has: page.locator('title', { hasText: /^checksum \(threaded_app\.py\) — / }) })
        .first()
        .locator('rect')
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        .evaluate((el: any) => el.ownerDocument.defaultView.getComputedStyle(el).fill as string);
      const [red, green, blue] = fill.match(/\d+/g)!.map(Number);
      expect(red! > 150 && red! > green! + 60 && red! > blue! + 60, `checksum's fill ${fill}`).toBe(true);
      // ... and the table row that names it, with the share before and after.
      const row = section.locator('table.diff-table tr.grew', { hasText: 'checksum (threaded_app.py)' });
      expect(await row.count()).toBe(1);
      expect(await row.innerText()).toMatch(/checksum \(threaded_app\.py\)\s+grew\s+[\d.]+%\s+[\d.]+%\s+\+[\d.]+/);
      // The toggle shows the baseline's layout instead.
      await section.locator('label[for=baseline-diff-graph-rev]').click();
      expect(await section.locator('.dview-rev svg').isVisible()).toBe(true);
      expect(await section.locator('.dview-fwd svg').isVisible()).toBe(false);
      await screenshot(opened, runDir, 'report-diff.png');
      expectQuiet(opened);
    } finally {
      await opened.close();
    }
  });
});
