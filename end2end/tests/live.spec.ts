import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, setKmsIn111122223333EuWest1, signIn, waitForHydration } from './helpers';

// README "The key store list": the list page is live. A change the console's watcher reads is
// pushed to open pages (server-sent events), which update in place, without a reload.

test('an open list page updates in place when a target changes elsewhere', async ({ page, context }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto('/');
  await waitForHydration(page);
  await expect(page.locator('body')).toHaveAttribute('data-live', 'true');
  await expect(page.getByTestId('target-stale')).toHaveCount(0);
  // Anything kept in the page survives only if the page is never reloaded.
  await page.evaluate(() => { (window as unknown as { kept: number }).kept = 42; });

  // Somebody else, in another tab, makes KMS unavailable in one account and Region.
  const other = await context.newPage();
  await setKmsIn111122223333EuWest1(other, 'Make KMS unavailable');
  try {
    await expect(page.getByTestId('target-stale')).toContainText('111122223333 eu-west-1', { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(42);
  } finally {
    await setKmsIn111122223333EuWest1(other, 'Make KMS available');
  }
  await expect(page.getByTestId('target-stale')).toHaveCount(0, { timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(42);
});
