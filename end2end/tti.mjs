// Time to interactive of one page in headless Chromium, for `make bench` (not a test).
// Usage: node tti.mjs URL COOKIE RUNS. Each run is a new browser context (a cold cache). It
// prints one JSON line: the milliseconds from navigation start until the page has hydrated
// (the app marks <body data-hydrated="true">), and to the load event; and the /pkg/ files the
// browser fetched for the page on the first run (with lazy routes, what the page really loads).
import { chromium } from '@playwright/test';

const [url, cookie, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? '5');
const [name, value] = cookie.split(/=(.*)/s);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'],
});
const hydrated = [];
const loaded = [];
const assets = new Set();
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  if (i === 0) {
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/pkg/')) assets.add(path.slice(1));
    });
  }
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 60_000 });
  // The moment Playwright saw the mark: at most one animation frame after the app set it.
  hydrated.push(await page.evaluate(() => performance.now()));
  await page.waitForLoadState('load');
  loaded.push(await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd));
  await context.close();
}
await browser.close();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ runs, hydrated_ms: median(hydrated), load_ms: median(loaded), all_hydrated_ms: hydrated, assets: [...assets] }));
