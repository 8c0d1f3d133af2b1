import { expect, Page, APIRequestContext } from '@playwright/test';

// The test OpenID provider (oidc/provider.mjs), as playwright.config.ts starts it.
export const IDP = 'http://127.0.0.1:3111';
const CONTROL = 'http://127.0.0.1:3112';

/// Tests talk only to 127.0.0.1: the provider's development pages import a web font, which is
/// refused here.
export async function localOnly(page: Page) {
  await page.route('**/*', (route) =>
    new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort());
}

/// `down`, `up`, `mode/normal`, `mode/expired`, `mode/audience`, `groups/USER/G1,G2`.
export async function control(request: APIRequestContext, what: string) {
  const res = await request.post(`${CONTROL}/${what}`);
  expect(res.ok(), `control ${what}`).toBeTruthy();
}

/// The authorization codes the provider sent this page back with.
export function watchCodes(page: Page): string[] {
  const codes: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname === '/auth/oidc/callback' && url.searchParams.get('code')) {
      codes.push(url.searchParams.get('code')!);
    }
  });
  return codes;
}

/// From the console's sign-in page (or a page that sends a visitor there) through the provider's
/// pages, as `user` (any password works there). Stops when the browser is back at the console.
export async function signInWithProvider(page: Page, user: string, consent: 'allow' | 'cancel' = 'allow', from = '/login') {
  await localOnly(page);
  await page.goto(from);
  await page.getByRole('link', { name: 'Sign in with Test-IdP' }).click();
  await expect(page).toHaveURL(new RegExp(`^${IDP}/interaction/`));
  if (consent === 'cancel') {
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
  } else {
    await page.locator('input[name=login]').fill(user);
    await page.locator('input[name=password]').fill('any-password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await page.waitForURL((u) => !u.href.startsWith(IDP) && !u.pathname.startsWith('/auth/oidc/'));
}
