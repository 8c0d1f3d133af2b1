import { expect, test } from '@playwright/test';
import { signInWithProvider } from './oidc-helpers';

// JavaScript is off: the provider's pages, the console's hand-over page (a meta refresh) and the
// sign-out are plain HTML.

test('an operator signs in and out through the provider without JavaScript', async ({ page }) => {
  await signInWithProvider(page, 'olivia');
  await expect(page).toHaveURL(/127\.0\.0\.1:3110\/$/);
  await expect(page.getByTestId('user')).toHaveText('olivia (operator)');
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: /Yes, sign me out/ }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
});

test('a viewer signs in through the provider without JavaScript', async ({ page }) => {
  await signInWithProvider(page, 'victor');
  await expect(page.getByTestId('user')).toHaveText('victor (viewer)');
});

test('a user in no allowed group is refused with the reason without JavaScript', async ({ page }) => {
  await signInWithProvider(page, 'nadia');
  await expect(page).toHaveURL(/\/login\?oidc_error=no-group$/);
  await expect(page.getByTestId('oidc-error')).toContainText('none of the groups');
});
