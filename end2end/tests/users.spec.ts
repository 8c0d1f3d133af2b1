import { Browser, expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, signIn, waitForHydration } from './helpers';

/// A second person at their own browser.
async function otherBrowser(browser: Browser, user: string, password: string) {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await signIn(page, user, password);
  return page;
}

test('an operator manages a user; each change ends that user\'s session at once', async ({ page, browser }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto('/users');
  await waitForHydration(page);
  await page.getByLabel('User name').fill('carol');
  await page.getByLabel('Password (12 to 256 characters)').fill('carol-password-1');
  await page.getByLabel('Role').selectOption('viewer');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByTestId('users-outcome')).toHaveText('User added.');
  const carolRow = page.getByTestId('user-row').and(page.locator('[data-user="carol"]'));
  await expect(carolRow).toContainText('viewer');

  // Carol at her own browser; the operator makes her an operator: her session ends.
  const carol = await otherBrowser(browser, 'carol', 'carol-password-1');
  await expect(carol.getByTestId('user')).toHaveText('carol (viewer)');
  await carolRow.getByRole('button', { name: 'Make operator' }).click();
  await expect(page.getByTestId('users-outcome')).toContainText('Role changed');
  await expect(carolRow).toContainText('operator');
  await carol.goto('/');
  await expect(carol).toHaveURL(/\/login/);

  // A reset: carol signs in with the temporary password and must choose her own first.
  await carolRow.getByLabel('New password for carol').fill('temporary-pass-1');
  await carolRow.getByRole('button', { name: 'Reset password' }).click();
  await expect(page.getByTestId('users-outcome')).toContainText('Password reset');
  await signIn(carol, 'carol', 'temporary-pass-1');
  await expect(carol).toHaveURL(/\/account$/);
  await expect(carol.getByTestId('must-change')).toBeVisible();
  await waitForHydration(carol);
  await carol.getByLabel('Current password').fill('temporary-pass-1');
  await carol.getByLabel('New password (12 to 256 characters)').fill('carols-own-password');
  await carol.getByLabel('Repeat the new password').fill('carols-own-password');
  await carol.getByRole('button', { name: 'Change password' }).click();
  await expect(carol).toHaveURL(/\/$/);
  await expect(carol.getByRole('heading', { name: 'Key stores' })).toBeVisible();

  // Removed, carol is signed out at once.
  await carolRow.getByLabel('Yes, remove carol').check();
  await carolRow.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('users-outcome')).toContainText('User removed');
  await expect(page.locator('[data-user="carol"]')).toHaveCount(0);
  await carol.goto('/audit');
  await expect(carol).toHaveURL(/\/login/);

  // Every change is in the audit log.
  await page.goto('/audit');
  for (const action of ['user added', 'role changed', 'password reset', 'password changed', 'user removed']) {
    await expect(page.getByTestId('audit-row').filter({ hasText: action }).filter({ hasText: 'user carol' }).first()).toBeVisible();
  }
  // The last operator is never offered a demotion or a removal.
  await page.goto('/users');
  const adminRow = page.locator('[data-user="admin"]');
  await expect(adminRow.getByRole('button', { name: 'Make viewer' })).toBeDisabled();
  await expect(adminRow.getByRole('button', { name: 'Remove' })).toBeDisabled();
  await carol.context().close();
});
