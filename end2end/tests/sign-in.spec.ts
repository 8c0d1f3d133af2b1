import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, signIn, signOut, waitForHydration, watchForProblems } from './helpers';

test('a signed-out visitor is sent to the sign-in page and back after signing in', async ({ page }) => {
  const problems = watchForProblems(page);
  await page.goto('/users');
  await expect(page).toHaveURL(/\/login\?next=%2Fusers$/);
  await waitForHydration(page);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByTestId('user')).toHaveText('admin (operator)');
  await expect(page.getByTestId('backend')).toHaveText('Embedded simulator');
  await expect(page.locator('footer')).toContainText(/cks-console \d+\.\d+\.\d+/);
  // The users page has its list (a request still loading it when the session ends would be
  // refused, and the browser would log the 401).
  await expect(page.getByTestId('user-row').first()).toBeVisible();
  await signOut(page);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  expect(problems, 'CSP violations or script errors').toEqual([]);
});

test('the show-password control works once the page has hydrated', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('secret-value');
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide' }).click();
  await expect(password).toHaveAttribute('type', 'password');
});

test('a wrong password is refused with a message', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await signIn(page, 'nobody', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong user name or password.');
  await expect(page).toHaveURL(/\/login/);
});

test('an operator adds a viewer, who can read but not change', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page.getByTestId('user')).toHaveText('admin (operator)');
  await page.getByRole('link', { name: 'Users' }).click();
  await waitForHydration(page);
  await page.getByLabel('User name').fill('vera');
  await page.getByLabel('Password (12 to 256 characters)').fill('vera-password-1');
  await page.getByLabel('Role').selectOption('viewer');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status')).toHaveText('User added.');
  await expect(page.getByRole('cell', { name: 'vera', exact: true })).toBeVisible();
  await signOut(page);

  await signIn(page, 'vera', 'vera-password-1');
  await expect(page.getByTestId('user')).toHaveText('vera (viewer)');
  await page.goto('/users');
  await expect(page.getByText('Only operators can add users')).toBeVisible();
  // A viewer is offered no form that changes users.
  await expect(page.getByRole('button', { name: 'Add user' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Reset password' })).toHaveCount(0);
});

test('hashed static assets are cached for good, pages never', async ({ page, request }) => {
  await page.goto('/login');
  const href = await page.locator('link[rel=stylesheet]').getAttribute('href');
  expect(href).toMatch(/^\/pkg\/cks-console\.[A-Za-z0-9_-]+\.css$/);
  const css = await request.get(href!);
  expect(css.status()).toBe(200);
  expect(css.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  const pageResponse = await request.get('/login');
  expect(pageResponse.headers()['cache-control']).toBe('no-store');
  expect(pageResponse.headers()['content-security-policy']).toContain("'nonce-");
});
