import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, screenshot, setKmsIn111122223333EuWest1, signIn, waitForHydration } from './helpers';

test('the fleet lists every demo store and sorts in place once hydrated', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { name: 'Key stores' })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByTestId('store-row')).toHaveCount(7);
  await expect(page.getByTestId('count')).toHaveText('7 of 7 key stores');
  // A credential rotated on the proxy, and a proxy whose authorization denies KMS.
  await expect(page.getByRole('row', { name: /ledger-xks/ })).toContainText('INVALID_CREDENTIALS');
  await expect(page.getByRole('row', { name: /orders-xks/ })).toContainText('XKS_PROXY_ACCESS_DENIED');
  await screenshot(page, 'list');
  await page.getByRole('link', { name: 'Name', exact: true }).click();
  await expect(page).toHaveURL(/\?sort=name$/);
  await expect(page.getByTestId('store-row').first()).toContainText('hsm-archive');
  await page.getByRole('link', { name: 'Name ▲' }).click();
  await expect(page).toHaveURL(/\?sort=name&dir=desc$/);
  await expect(page.getByTestId('store-row').first()).toContainText('private-xks');
});

test('a filtered view is a link that can be shared', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.getByLabel('State').selectOption('FAILED');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/state=FAILED/);
  await expect(page.getByTestId('store-row')).toHaveCount(3);
  const shared = page.url();
  await page.goto('/');
  await page.goto(shared);
  await expect(page.getByTestId('store-row')).toHaveCount(3);
  await expect(page.getByLabel('State')).toHaveValue('FAILED');
});

test('a target that cannot be read keeps its last rows, marked stale with the reason, and recovers', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  // The demo panel makes KMS unavailable in one account and Region (the simulator's admin API is
  // private to the console).
  await setKmsIn111122223333EuWest1(page, 'Make KMS unavailable');
  try {
    await page.goto('/');
    // README "The key store list": a failed read keeps the last good rows, marked stale with
    // the reason and their age; it is not an error.
    const stale = page.getByTestId('target-stale');
    await expect(stale).toContainText('111122223333 eu-west-1');
    await expect(stale).toContainText('Next:');
    await expect(stale).toContainText(/Its rows are from \d+ seconds? ago/);
    await expect(page.getByTestId('target-failure')).toHaveCount(0);
    await expect(page.getByTestId('store-row')).toHaveCount(7);
    await expect(page.getByRole('link', { name: 'hsm-eu-failed' })).toBeVisible();
    await page.getByText(/^Targets \(4\)$/).click();
    await expect(page.getByTestId('target-ages')).toContainText('failed:');
  } finally {
    await setKmsIn111122223333EuWest1(page, 'Make KMS available');
  }
  await page.goto('/');
  await expect(page.getByTestId('target-stale')).toHaveCount(0);
  await expect(page.getByTestId('store-row')).toHaveCount(7);
  await expect(page.getByTestId('as-of')).toContainText('As of');
});

// The list fits the window at the widths people use: no horizontal scroll; long endpoints cut
// short on one line (whole on hover and in the text a copy takes), never broken mid-word; and on
// a phone each store is a card.
for (const [width, height] of [[1280, 800], [1440, 900], [390, 844]]) {
  test(`the list fits a window ${width} px wide`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await expect(page.getByTestId('store-row')).toHaveCount(7);
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(scroll).toBe(client);
    const full = 'https://proxy-a.xks.sim.internal/payments/kms/xks/v1 (public endpoint)';
    const proxy = page.getByTestId('store-row').filter({ hasText: 'payments-xks' }).getByTestId('proxy');
    await expect(proxy).toHaveAttribute('title', full);
    await expect(proxy).toHaveText(full);
    // One line: the element is less than two lines of its font high.
    const { high, font } = await proxy.evaluate((el) => ({
      high: el.getBoundingClientRect().height,
      font: parseFloat(getComputedStyle(el).fontSize),
    }));
    expect(high).toBeLessThan(2 * font);
    const display = await page.getByTestId('store-row').first().evaluate((row) => getComputedStyle(row).display);
    expect(display).toBe(width < 700 ? 'block' : 'table-row');
  });
}
