import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, signIn } from './helpers';

test('connecting a store works without JavaScript', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.getByRole('link', { name: 'hsm-archive' }).click();
  await expect(page.getByTestId('state')).toHaveText('DISCONNECTED');
  const connect = page.getByTestId('action-connect');
  await connect.getByRole('checkbox').check();
  await connect.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('state')).toHaveText('CONNECTING');
  await expect(page.getByTestId('state')).toHaveText('CONNECTED', { timeout: 15_000 });
});
