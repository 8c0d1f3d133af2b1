import { expect, Page } from '@playwright/test';

export const ADMIN_PASSWORD = 'e2e-admin-password';

export async function signIn(page: Page, user: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

/// The page has loaded its wasm and taken over the server-rendered HTML. The debug wasm is large,
/// and compiling it on a busy 2-core machine can take a while.
export async function waitForHydration(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 30_000 });
}

/// Collects everything the browser complains about: CSP violations, script errors.
export function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) {
      problems.push(msg.text());
    }
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  return problems;
}
