import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, expectAccessible, PAGES, signIn } from './helpers';

// axe-core on every page as the server sends it, for people without JavaScript. axe is itself a
// script, so it runs in a page whose own scripts (the hydration code and the wasm) are blocked:
// the DOM it checks is the server's HTML, as a browser without JavaScript shows it.
test('every page has no serious or critical accessibility violation, without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, javaScriptEnabled: true });
  await context.route(/\/pkg\//, (route) => route.abort());
  const page = await context.newPage();
  await page.goto('/login');
  await expectAccessible(page);
  await signIn(page, 'admin', ADMIN_PASSWORD);
  for (const path of PAGES) {
    await page.goto(path);
    await expectAccessible(page);
  }
  // The review and run pages of a change: ledger-xks is renamed, then named back.
  for (const [from, to] of [['ledger-xks', 'ledger-xks-a11y'], ['ledger-xks-a11y', 'ledger-xks']]) {
    await page.goto('/');
    await page.getByRole('link', { name: from, exact: true }).click();
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.locator('input[name="name"]').fill(to);
    await page.getByRole('button', { name: 'Review the change' }).click();
    await expect(page).toHaveURL(/\/review\//);
    await expectAccessible(page);
    await page.getByRole('checkbox', { name: /I have read the impact/ }).check();
    await page.getByRole('button', { name: 'Start the run' }).click();
    await expect(page).toHaveURL(/\/runs\/\d+$/);
    // This page has scripts on (for axe), so its <noscript> refresh is off: reload by hand.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expectAccessible(page);
  }
  await context.close();
});
