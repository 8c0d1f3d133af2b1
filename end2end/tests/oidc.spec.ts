import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, screenshot, signIn, waitForHydration } from './helpers';
import { control, IDP, localOnly, signInWithProvider, watchCodes } from './oidc-helpers';

// A console that signs people in through the test OpenID provider (README "Sign in with your
// identity provider"): olivia is in the operator group, victor in the viewer group, nadia in
// neither.

// First: before this console has read the provider's metadata, and a second after no other
// sign-in began (discovery is read at each start, at most once a second).
test('a provider that is down gets a page that says so, and local sign-in still works', async ({ page, request }) => {
  await control(request, 'down');
  try {
    await localOnly(page);
    await page.goto('/login');
    await page.getByRole('link', { name: 'Sign in with Test-IdP' }).click();
    await expect(page).toHaveURL(/\/login\?oidc_error=unreachable$/);
    await expect(page.getByTestId('oidc-error')).toContainText('could not reach the identity provider');
    // The break-glass local account still signs in.
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await expect(page.getByTestId('user')).toHaveText('admin (operator)');
  } finally {
    await control(request, 'up');
  }
});

test('an operator signs in through the provider, sees the source on the Users page, and signs out at the provider', async ({ page }) => {
  const codes = watchCodes(page);
  await signInWithProvider(page, 'olivia');
  await expect(page).toHaveURL(/127\.0\.0\.1:3109\/$/);
  await waitForHydration(page);
  await expect(page.getByTestId('user')).toHaveText('olivia (operator)');
  // The code was used once and is nowhere on the console's pages.
  expect(codes.length).toBe(1);
  await page.goto('/users');
  const row = page.locator('[data-testid="user-row"][data-user="olivia"]');
  await expect(row.getByTestId('user-source')).toHaveText('identity provider');
  await expect(row.getByRole('button', { name: 'Reset password' })).toHaveCount(0);
  expect(await page.content()).not.toContain(codes[0]);
  await page.goto('/account');
  await expect(page.getByTestId('federated-note')).toBeVisible();
  await expect(page.getByLabel('Current password')).toHaveCount(0);

  // Sign-out: the console's session ends, then the provider asks to end its own.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(new RegExp(`^${IDP}/session/end`));
  await page.getByRole('button', { name: /Yes, sign me out/ }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByRole('status')).toHaveText('You are signed out.');
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('a viewer signs in through the provider with the viewer role, back on the page they asked for', async ({ page }) => {
  // A visitor who opens a deep link is sent to sign in, and comes back to it afterwards.
  await signInWithProvider(page, 'victor', 'allow', '/audit');
  await expect(page).toHaveURL(/127\.0\.0\.1:3109\/audit$/);
  await waitForHydration(page);
  await expect(page.getByTestId('user')).toHaveText('victor (viewer)');
  await page.goto('/users');
  await expect(page.getByTestId('viewer-note')).toBeVisible();
});

test('a user in no allowed group is told why and whom to ask', async ({ page }) => {
  await signInWithProvider(page, 'nadia');
  await expect(page).toHaveURL(/\/login\?oidc_error=no-group$/);
  await waitForHydration(page);
  const alert = page.getByTestId('oidc-error');
  await expect(alert).toContainText('none of the groups');
  await expect(alert).toContainText('operator or the viewer group');
  // The page offers the provider again, and the local form (break-glass).
  await expect(page.getByRole('link', { name: 'Sign in with Test-IdP' })).toBeVisible();
  await expect(page.getByLabel('User name')).toBeVisible();
  await screenshot(page, 'sign-in-refused');
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('denied consent, a replayed answer and a token for another audience each get their page', async ({ page, browser, request }) => {
  await signInWithProvider(page, 'olivia', 'cancel');
  await expect(page.getByTestId('oidc-error')).toHaveAttribute('data-code', 'denied');

  // A good sign-in, then its answer replayed in another browser.
  let answer = '';
  page.on('request', (r) => { if (r.url().includes('/auth/oidc/callback')) answer = r.url(); });
  await signInWithProvider(page, 'victor');
  await expect(page.getByTestId('user')).toHaveText('victor (viewer)');
  const other = await browser.newContext();
  const attacker = await other.newPage();
  await localOnly(attacker);
  await attacker.goto(answer);
  await expect(attacker).toHaveURL(/oidc_error=state/);
  await expect(attacker.getByTestId('oidc-error')).toContainText('already used');
  await other.close();

  await control(request, 'mode/audience');
  try {
    const fresh = await browser.newContext();
    const p = await fresh.newPage();
    await signInWithProvider(p, 'olivia');
    await expect(p.getByTestId('oidc-error')).toHaveAttribute('data-code', 'audience');
    await expect(p.getByTestId('oidc-error')).toContainText('another application');
    await fresh.close();
  } finally {
    await control(request, 'mode/normal');
  }
});
