import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, signIn, waitForHydration } from './helpers';

test('the fleet lists every demo store and sorts in place once hydrated', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { name: 'Key stores' })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByTestId('store-row')).toHaveCount(6);
  await expect(page.getByTestId('count')).toHaveText('6 of 6 key stores');
  await expect(page.getByRole('row', { name: /ledger-xks/ })).toContainText('XKS_PROXY_ACCESS_DENIED');
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
  await expect(page.getByTestId('store-row')).toHaveCount(2);
  const shared = page.url();
  await page.goto('/');
  await page.goto(shared);
  await expect(page.getByTestId('store-row')).toHaveCount(2);
  await expect(page.getByLabel('State')).toHaveValue('FAILED');
});
