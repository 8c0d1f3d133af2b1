import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, screenshot, signIn, waitForHydration } from './helpers';

test('an operator disconnects a failed store after confirming and watches it settle', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.getByRole('link', { name: 'ledger-xks' }).click();
  await expect(page.getByRole('heading', { name: /ledger-xks/ })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByTestId('error-code')).toContainText('INVALID_CREDENTIALS');
  await screenshot(page, 'store');
  const connect = page.getByTestId('action-connect');
  await expect(connect.getByRole('button', { name: 'Connect' })).toBeDisabled();
  await expect(connect).toContainText('A FAILED store must be disconnected');
  const disconnect = page.getByTestId('action-disconnect');
  await expect(disconnect).toContainText('all of its KMS keys are unusable');
  await disconnect.getByRole('checkbox').check();
  await disconnect.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByTestId('state')).toHaveText('DISCONNECTING');
  // The page follows the store until it settles.
  await expect(page.getByTestId('state')).toHaveText('DISCONNECTED', { timeout: 15_000 });
  await expect(page.getByTestId('action-connect').getByRole('button', { name: 'Connect' })).toBeEnabled();
});

test('a viewer opens a store but cannot connect or disconnect it', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto('/users');
  await waitForHydration(page);
  await page.getByLabel('User name').fill('reader');
  await page.getByLabel('Password (12 to 256 characters)').fill('reader-password-1');
  await page.getByLabel('Role').selectOption('viewer');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status')).toHaveText('User added.');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'reader', 'reader-password-1');
  await page.getByRole('link', { name: 'payments-xks' }).click();
  await expect(page.getByTestId('state')).toHaveText('CONNECTED');
  await expect(page.getByText('Your role can only read')).toBeVisible();
  await expect(page.getByTestId('action-disconnect').getByRole('button', { name: 'Disconnect' })).toBeDisabled();
  await expect(page.getByTestId('action-connect').getByRole('button', { name: 'Connect' })).toBeDisabled();
});

test('a store page offers Edit, and Delete only once the store is disconnected', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.getByRole('link', { name: 'payments-xks' }).click();
  await expect(page.getByTestId('action-edit').getByRole('link', { name: 'Edit' })).toBeVisible();
  const del = page.getByTestId('action-delete');
  await expect(del.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await expect(del).toContainText('Only a DISCONNECTED store can be deleted');
  await page.goto('/');
  await page.getByRole('link', { name: 'hsm-archive' }).click();
  await expect(page.getByTestId('action-delete').getByRole('button', { name: 'Delete' })).toBeEnabled();
  await expect(page.getByTestId('action-delete')).toContainText('Type hsm-archive to confirm');
});
