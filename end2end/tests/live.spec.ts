import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { ConnectCustomKeyStoreCommand, DescribeCustomKeyStoresCommand, DisconnectCustomKeyStoreCommand, KMSClient } from '@aws-sdk/client-kms';
import { ADMIN_PASSWORD, setKmsIn111122223333EuWest1, signIn, waitForHydration } from './helpers';

// README "The key store list": the list page is live. A change the console's watcher reads is
// pushed to open pages (server-sent events), which update in place, without a reload.

test('an open list page updates in place when a target changes elsewhere', async ({ page, context }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto('/');
  await waitForHydration(page);
  await expect(page.locator('body')).toHaveAttribute('data-live', 'true');
  await expect(page.getByTestId('target-stale')).toHaveCount(0);
  // Anything kept in the page survives only if the page is never reloaded.
  await page.evaluate(() => { (window as unknown as { kept: number }).kept = 42; });
  // Somebody reading the targets' ages and starting a search keeps both through an update.
  const ages = page.getByTestId('target-ages');
  await ages.locator('summary').click();
  await expect(ages).toHaveAttribute('open', '');
  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.fill('half-typed');

  // Somebody else, in another tab, makes KMS unavailable in one account and Region.
  const other = await context.newPage();
  await setKmsIn111122223333EuWest1(other, 'Make KMS unavailable');
  try {
    await expect(page.getByTestId('target-stale')).toContainText('111122223333 eu-west-1', { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(42);
    await expect(ages).toHaveAttribute('open', '');
    await expect(ages.getByRole('row', { name: /111122223333 eu-west-1/ })).toContainText('failed');
    await expect(search).toHaveValue('half-typed');
  } finally {
    await setKmsIn111122223333EuWest1(other, 'Make KMS available');
  }
  await expect(page.getByTestId('target-stale')).toHaveCount(0, { timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(42);
});

// Another tool in the same account (here the AWS SDK for JavaScript, with the keys the console
// wrote to --sim-credentials-file) disconnects a store behind the console's back. The open list
// page shows it at the watcher's next read of that target, without a reload.
test('a store changed through kms-sim directly updates the open list page in place', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto('/about');
  const endpoint = (await page.getByTestId('sim-endpoint').textContent())!.trim();
  const text = readFileSync(process.env.CKS_E2E_SIM_CREDENTIALS!, 'utf8');
  const profile = text.split('[cks-sim-111122223333]')[1];
  const key = (name: string) => new RegExp(`^${name}\\s*=\\s*(\\S+)`, 'm').exec(profile)![1];
  const kms = new KMSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: key('aws_access_key_id'), secretAccessKey: key('aws_secret_access_key') },
    maxAttempts: 1,
  });
  const privateXks = 'cks-0a1b2c3d4e5f60005';

  await page.goto('/');
  await waitForHydration(page);
  await expect(page.locator('body')).toHaveAttribute('data-live', 'true');
  const state = page.getByRole('row', { name: /private-xks/ }).locator('.badge');
  await expect(state).toHaveText('CONNECTED');
  await page.evaluate(() => { (window as unknown as { kept: number }).kept = 7; });
  // Somebody moving through the list with the keyboard is on that store's link.
  const link = page.getByRole('row', { name: /private-xks/ }).getByRole('link', { name: 'private-xks' });
  await link.focus();
  await expect(link).toBeFocused();
  try {
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: privateXks }));
    // The watcher reads a quiet target every 30 s (--refresh-interval's default).
    await expect(state).toHaveText(/^DISCONNECT(ING|ED)$/, { timeout: 45_000 });
    expect(await page.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(7);
    // The row is new HTML; the focus is on the same store's link, not lost to the page.
    await expect(link).toBeFocused();
  } finally {
    // Leave the demo as it was, for the other tests.
    await expect.poll(async () => {
      const out = await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: privateXks }));
      return out.CustomKeyStores?.[0]?.ConnectionState;
    }, { timeout: 20_000 }).toBe('DISCONNECTED');
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: privateXks }));
  }
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(state).toHaveText('CONNECTED', { timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(7);
});
