import { createHash } from 'node:crypto';
import { expect, Response, test } from '@playwright/test';
import { ADMIN_PASSWORD, signIn, waitForHydration } from './helpers';

// README "Browser payload": the list page downloads only its own code; every other page's code
// comes when that page is first visited, and a file a browser may keep for a year is named after
// its content.

function wasmDownloads(responses: Response[]): string[] {
  const paths = responses
    .map((r) => new URL(r.url()).pathname)
    .filter((p) => p.startsWith('/pkg/') && p.endsWith('.wasm'));
  return [...new Set(paths)];
}

test('the list page loads one wasm file; a store page loads its own code on first visit', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  const responses: Response[] = [];
  page.on('response', (r) => responses.push(r));
  await page.goto('/');
  await waitForHydration(page);
  const onList = wasmDownloads(responses);
  expect(onList, 'the list page').toHaveLength(1);

  // A client-side visit to a store page fetches code the list page did not have, then works.
  await page.getByRole('link', { name: 'ledger-xks' }).click();
  await expect(page.getByRole('heading', { name: /ledger-xks/ })).toBeVisible();
  await expect(page.getByTestId('error-code')).toContainText('INVALID_CREDENTIALS');
  const afterVisit = wasmDownloads(responses);
  expect(afterVisit.length, 'the store page brings its own code').toBeGreaterThan(onList.length);
  const disconnect = page.getByTestId('action-disconnect');
  await disconnect.getByRole('checkbox').check();
  await expect(disconnect.getByRole('button', { name: 'Disconnect' })).toBeEnabled();

  // Opened directly, a lazy page hydrates too (its code arrives before hydration).
  await page.goto('/about');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
});

test('a file cached for good is the file its name promises; the others are revalidated', async ({ page, request }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  const responses: Response[] = [];
  page.on('response', (r) => responses.push(r));
  await page.goto('/');
  await waitForHydration(page);
  await page.goto('/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60001/edit');
  await waitForHydration(page);

  const assets = [...new Set(responses.map((r) => new URL(r.url()).pathname))].filter((p) => p.startsWith('/pkg/'));
  expect(assets.length).toBeGreaterThan(3);
  let immutable = 0;
  for (const path of assets) {
    const r = await request.get(path);
    expect(r.status(), path).toBe(200);
    const cacheControl = r.headers()['cache-control'];
    if (cacheControl === 'public, max-age=31536000, immutable') {
      immutable += 1;
      // cargo-leptos' hash: MD5 of the bytes, unpadded base64url, before the extension.
      const md5 = createHash('md5').update(await r.body()).digest('base64url');
      const nameHash = path.split('/').pop()!.split('.').slice(-2, -1)[0];
      expect(nameHash, `${path} is cached for good but its bytes hash to ${md5}`).toBe(md5);
    } else {
      expect(cacheControl, path).toBe('no-cache');
    }
  }
  expect(immutable, 'the stylesheet and the content-named code are cached for good').toBeGreaterThan(1);
});
