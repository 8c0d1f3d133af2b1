import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, PAGES, signIn, signOut, waitForHydration } from './helpers';

// A viewer walks every page and is offered no action that changes anything: every form that
// posts a change is disabled (with its reason), and no link leads to a page that changes things.


/// Server functions a viewer may call from a form: signing out, probing a proxy, changing their
/// own password, and asking the console to read the fleet again (Refresh changes nothing).
const READS = ['/api/logout', '/api/stores/test-connection', '/api/account/password', '/api/stores/refresh'];

test('a viewer is offered no action that changes anything, on any page', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  const origin = new URL(page.url()).origin;
  const added = await page.request.post('/api/users/add', {
    form: { username: 'walker', password: 'walker-password-1', role: 'viewer' },
    headers: { Origin: origin, Accept: 'application/json' },
  });
  expect(added.status()).toBe(200);
  await signOut(page);
  await signIn(page, 'walker', 'walker-password-1');
  for (const path of PAGES) {
    await page.goto(path);
    await waitForHydration(page);
    const offered = await page.evaluate((reads) => {
      const out: string[] = [];
      for (const b of document.querySelectorAll<HTMLButtonElement>('button[type=submit]')) {
        const form = b.form;
        if (!form || b.matches(':disabled') || form.method.toLowerCase() !== 'post') continue;
        const action = new URL(form.action).pathname;
        if (!reads.includes(action)) out.push(`${action} (${b.textContent?.trim()})`);
      }
      for (const a of document.querySelectorAll('a[href]')) {
        const href = a.getAttribute('href')!;
        // The Notifications page is for operators: a viewer gets no link to it.
        if (href === '/create' || href === '/notifications' || /\/edit(\?|$)/.test(href) || href.includes('/api/demo/proxy-config')) {
          out.push(`link ${href}`);
        }
      }
      return out;
    }, READS);
    expect(offered, `${path} offers a viewer actions that change things`).toEqual([]);
  }
  // The reason is shown where an action would be.
  await page.goto('/');
  await expect(page.getByText('Your role can only read; an operator can do this.')).toBeVisible();
});
