import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, signIn } from './helpers';

test('the fleet filters and sorts without JavaScript', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page.getByTestId('store-row')).toHaveCount(7);
  await page.getByLabel('Type').selectOption('AWS_CLOUDHSM');
  await page.getByLabel('Search').fill('eu');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/type=AWS_CLOUDHSM/);
  await expect(page.getByTestId('count')).toHaveText('2 of 7 key stores');
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await expect(page).toHaveURL(/type=AWS_CLOUDHSM&q=eu&sort=account$/);
  await expect(page.getByTestId('store-row').first()).toContainText('hsm-eu-primary');
});
