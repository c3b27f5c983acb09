/**
 * Open a report in Debian's chromium through playwright-core, the way a person would, while recording what a
 * test must see stay empty: console errors, page errors, dialogs (an injected alert) and every request other
 * than the report file itself (all are blocked, so a report that needs the network shows it).
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = process.env.HOLISTIC_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);

export interface OpenedReport {
  page: Page;
  url: string;
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  /** Requests for anything but the report file itself (blocked). */
  foreignRequests: string[];
  close(): Promise<void>;
}

export async function openReport(file: string, options: { colorScheme?: 'light' | 'dark'; width?: number } = {}): Promise<OpenedReport> {
  const browser: Browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    timeout: 60_000,
  });
  try {
    const context = await browser.newContext({ viewport: { width: options.width ?? 1360, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
    const page = await context.newPage();
    const url = pathToFileURL(file).href;
    const opened: OpenedReport = {
      page,
      url,
      consoleErrors: [],
      pageErrors: [],
      dialogs: [],
      foreignRequests: [],
      close: () => browser.close(),
    };
    page.on('console', (m) => {
      if (m.type() === 'error') opened.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => opened.pageErrors.push(e.message));
    page.on('dialog', (d) => {
      opened.dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await context.route('**/*', (route) => {
      const requested = route.request().url();
      if (requested.split('#')[0] === url) return route.continue();
      opened.foreignRequests.push(requested);
      return route.abort();
    });
    await page.goto(url, { waitUntil: 'load' });
    return opened;
  } catch (error) {
    await browser.close();
    throw error;
  }
}
