import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, signIn } from './helpers';

// JavaScript is off in this project: these pages must work as plain HTML forms.

test('signing in and out works without JavaScript', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('user')).toHaveText('admin (operator)');
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test('a wrong password shows its message without JavaScript', async ({ page }) => {
  await signIn(page, 'nobody', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong user name or password.');
  // The control that needs the wasm is not offered.
  await expect(page.getByRole('button', { name: 'Show' })).toBeHidden();
});

test('an operator adds a user without JavaScript', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto('/users');
  await page.getByLabel('User name').fill('olga');
  await page.getByLabel('Password (12 to 256 characters)').fill('olga-password-1');
  await page.getByLabel('Role').selectOption('operator');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page).toHaveURL(/\/users/);
  await expect(page.getByRole('cell', { name: 'olga', exact: true })).toBeVisible();
});
