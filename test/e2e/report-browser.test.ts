/**
 * The report as a person meets it: a real run on the local target, opened in Debian's chromium through
 * playwright-core with every request observed. It must load with no console errors and no network, show the
 * verdicts, find the hotspot through the flame graph's search, and zoom. A screenshot is saved next to the
 * report (report.png); set HOLISTIC_SCREENSHOT_DIR to keep a copy after the test's output folder is removed.
 * A second run whose app has hostile function, file and thread names must execute nothing of them.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { hasChromium, openReport, chromiumPath, type OpenedReport } from '../browser.js';
import { HOSTILE_FUNCTION, HOSTILE_THREAD } from '../fixtures/scenarios/hostile-names.js';
import { fixtures, holistic, readSummary, runFolder, test } from '../helpers.js';

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
      expect(zoomedWidth).toBeGreaterThan(1190);
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
        svg: await count('svg'),
        onload: await count('[onload], [onerror]'),
      };
      expect(counts).toEqual({ img: 0, script: 2, svg: 2, onload: 0 });
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
});
