import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, signIn } from './helpers';

test('without JavaScript an operator changes a role and a user changes their own password', async ({ page, browser }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto('/users');
  await page.getByLabel('User name').fill('dora');
  await page.getByLabel('Password (12 to 256 characters)').fill('dora-password-1');
  await page.getByRole('button', { name: 'Add user' }).click();
  const doraRow = page.locator('[data-user="dora"]');
  await expect(doraRow).toContainText('viewer');
  await doraRow.getByRole('button', { name: 'Make operator' }).click();
  await expect(page).toHaveURL(/\/users\??$/);
  await expect(page.locator('[data-user="dora"]')).toContainText('operator');

  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, javaScriptEnabled: false });
  const dora = await context.newPage();
  await signIn(dora, 'dora', 'dora-password-1');
  await dora.goto('/account');
  await dora.getByLabel('Current password').fill('dora-password-1');
  await dora.getByLabel('New password (12 to 256 characters)').fill('doras-own-password');
  await dora.getByLabel('Repeat the new password').fill('doras-own-password');
  await dora.getByRole('button', { name: 'Change password' }).click();
  await expect(dora).toHaveURL(/\/account\??$/);
  // Signed in still, and the new password is the one that works.
  await dora.goto('/audit');
  await expect(dora.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await context.close();
  const again = await (await browser.newContext({ baseURL: test.info().project.use.baseURL, javaScriptEnabled: false })).newPage();
  await signIn(again, 'dora', 'doras-own-password');
  await expect(again).toHaveURL(/\/$/);
});
