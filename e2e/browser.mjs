// Debian's Chromium, headless, driven by playwright-core.
import { chromium } from 'playwright-core';

/// Every page opens as a returning learner's would, with the first visit's tour already seen (it
/// would lie over what the tests click); `newContext({ firstVisit: true })` opens one as new.
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async ({ firstVisit = false, ...options } = {}) => {
    const context = await newContext(options);
    if (!firstVisit) {
      await context.addInitScript(() => {
        try { localStorage.setItem('svclab:toured', '1'); } catch { /* a page without storage */ }
      });
    }
    return context;
  };
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('close', () => context.close().catch(() => {}));
    return page;
  };
  return browser;
}
