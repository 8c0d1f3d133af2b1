import AxeBuilder from '@axe-core/playwright';
import { expect, Page } from '@playwright/test';

export const ADMIN_PASSWORD = 'e2e-admin-password';

/// Every page of the console a signed-in user can open (the review and run pages of a change are
/// reached by the update journeys).
export const PAGES = [
  '/',
  '/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60001',
  '/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60001/edit',
  '/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60001/test',
  '/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60002/fix',
  '/stores/000000000000/eu-west-1/cks-0a1b2c3d4e5f60007/fix',
  '/create',
  '/demo',
  '/users',
  '/account',
  '/audit',
  '/notifications',
  '/about',
  '/runs/1',
];

/// axe-core finds no serious or critical accessibility violation on the page as it is now.
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  expect(bad, `accessibility violations on ${page.url()}`).toEqual([]);
}

/// Browser errors per page, reported when a page fails to hydrate.
const errors = new WeakMap<Page, string[]>();

function collectErrors(page: Page) {
  if (errors.has(page)) return;
  const list: string[] = [];
  errors.set(page, list);
  page.on('pageerror', (e) => list.push(`pageerror: ${e}`));
  page.on('console', (m) => { if (m.type() === 'error') list.push(`console: ${m.text()}`); });
}

export async function signIn(page: Page, user: string, password: string) {
  collectErrors(page);
  await page.goto('/login');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Let the sign-in finish (it sets the session cookie) before the test navigates on.
  await Promise.race([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.getByRole('alert').waitFor(),
  ]);
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

/// The page has loaded its wasm and taken over the server-rendered HTML. The debug wasm is large,
/// and compiling it on a busy 2-core machine can take a while.
export async function waitForHydration(page: Page) {
  await expect(
    page.locator('body'),
    `the page did not hydrate; browser errors: ${JSON.stringify(errors.get(page) ?? [])}`,
  ).toHaveAttribute('data-hydrated', 'true', { timeout: 60_000 });
}

/// Collects everything the browser complains about: CSP violations, script errors.
export function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) {
      // A failed load names no URL in its text; where it came from says which.
      const at = msg.location().url;
      problems.push(at ? `${msg.text()} (${at})` : msg.text());
    }
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  return problems;
}

/// Saves what the page shows now as docs/screenshots/NAME.png, for the README: the pictures are
/// made by the same journeys that test the pages, so they stay current with the code.
export async function screenshot(page: Page, name: string) {
  await expectAccessible(page);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `../docs/screenshots/${name}.png`, fullPage: true });
  if (size) await page.setViewportSize(size);
}

/// From the demo control panel: makes KMS unavailable (or available again) in the second demo
/// account's eu-west-1, and waits for the panel to say it did.
export async function setKmsIn111122223333EuWest1(page: Page, label: 'Make KMS unavailable' | 'Make KMS available') {
  await page.goto('/demo');
  await waitForHydration(page);
  const row = page.getByTestId('demo-region').filter({ hasText: '111122223333 eu-west-1' });
  await row.getByRole('button', { name: label }).click();
  await expect(page.getByTestId('demo-outcome')).toContainText('KMS in 111122223333 eu-west-1 is', { timeout: 60_000 });
}
