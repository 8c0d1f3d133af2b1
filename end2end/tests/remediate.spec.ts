import { expect, Page, test } from '@playwright/test';
import { ADMIN_PASSWORD, screenshot, signIn, waitForHydration } from './helpers';

// Each journey starts from fresh demo data and leaves it fresh for the specs after it.

/// The demo panel's Reset, through its server function (the panel itself is tested below).
async function resetDemo(page: Page) {
  const origin = new URL(page.url()).origin;
  const reply = await page.request.post('/api/demo/act', {
    form: { action: 'reset' },
    headers: { Origin: origin, Accept: 'application/json' },
  });
  expect(reply.status()).toBe(200);
  expect(await reply.json()).toBe('The demo data is loaded again.');
}

/// The proxy's own UI offers its configuration file; the demo panel plays that part.
async function downloadProxyConfig(page: Page, proxy: string): Promise<string> {
  await page.goto('/demo');
  const row = page.getByTestId('demo-proxy').filter({ hasText: proxy });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('link', { name: 'Download configuration file' }).click(),
  ]);
  return (await download.path())!;
}

async function runToTheEnd(page: Page) {
  await page.getByRole('checkbox', { name: /I have read the impact/ }).check();
  await page.getByRole('button', { name: 'Start the run' }).click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 30_000 });
}

test.beforeEach(async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await resetDemo(page);
});

test.afterAll(async ({ browser }, testInfo) => {
  const page = await browser.newPage({ baseURL: testInfo.project.use.baseURL });
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await resetDemo(page);
  await page.close();
});

test('an XKS store whose proxy rotated its credential (INVALID_CREDENTIALS) is fixed with the proxy\'s new configuration file', async ({ page }) => {
  const file = await downloadProxyConfig(page, 'proxy-b.xks.sim.internal/ledger');
  await page.goto('/');
  await page.getByRole('link', { name: 'ledger-xks', exact: true }).click();
  await page.getByTestId('fix-link').click();
  await expect(page.getByTestId('remedy')).toContainText('INVALID_CREDENTIALS');
  await expect(page.getByTestId('meaning')).toContainText('The proxy rejected the signature');
  await expect(page.getByTestId('fix-steps')).toContainText('Test the connection');
  await screenshot(page, 'fix');
  await page.getByRole('link', { name: 'Edit the store' }).click();
  await expect(page.getByTestId('fixing')).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Upload configuration file').setInputFiles(file);
  await expect(page.getByLabel('Access key ID')).toHaveValue('LEDGERXKSROTATEDKEYB');
  await expect(page.getByRole('checkbox', { name: /Connect the store when the change is done/ })).toBeChecked();
  await page.getByRole('button', { name: 'Review the change' }).click();
  await expect(page.getByTestId('plan-summary')).toHaveText(/^disconnect \(keys unusable for about \d+ seconds\), update, reconnect, verify$/);
  await expect(page.getByTestId('preflight-verdict')).toContainText('Passed');
  await runToTheEnd(page);
  await expect(page.getByTestId('store-now')).toContainText('CONNECTED');
});

test('a CloudHSM INVALID_CREDENTIALS store is fixed with the new kmsuser password', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'hsm-eu-failed', exact: true }).click();
  await page.getByTestId('fix-link').click();
  await expect(page.getByTestId('meaning')).toContainText('KMS cannot log in to the cluster as kmsuser');
  await page.getByRole('link', { name: 'Edit the store' }).click();
  await page.getByLabel(/kmsuser password/).fill('kmsuser-rotated-pw');
  await page.getByRole('button', { name: 'Review the change' }).click();
  await expect(page.getByTestId('plan-summary')).toContainText('reconnect');
  await runToTheEnd(page);
  await expect(page.getByTestId('store-now')).toContainText('CONNECTED');
});

test('an XKS store is created from a configuration file, then deleted', async ({ page }) => {
  const file = await downloadProxyConfig(page, 'proxy-c.xks.sim.internal/spare');
  await page.goto('/');
  await page.getByRole('link', { name: 'Create key store' }).click();
  await waitForHydration(page);
  await page.getByLabel('Account and Region').selectOption('000000000000/us-east-1');
  await page.getByLabel('Key store name').fill('spare-xks');
  await page.getByLabel('Proxy URI endpoint').fill('https://proxy-c.xks.sim.internal');
  await page.getByLabel('Upload configuration file').setInputFiles(file);
  await expect(page.getByLabel('Proxy URI path')).toHaveValue('/spare/kms/xks/v1');
  await expect(page.getByLabel('Access key ID')).toHaveValue('SPAREXKSPROXYACCESSK');
  await page.getByRole('button', { name: 'Create key store' }).click();
  await expect(page.getByRole('heading', { name: /spare-xks/ })).toBeVisible();
  await expect(page.getByTestId('state')).toHaveText('DISCONNECTED');
  const del = page.getByTestId('action-delete');
  await del.getByLabel('Type spare-xks to confirm').fill('spare-xks');
  await del.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: 'spare-xks' })).toHaveCount(0);
  await expect(page.getByTestId('store-row')).toHaveCount(7);
});

test('an XKS_PROXY_ACCESS_DENIED store is fixed at the proxy, then reconnected', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'orders-xks', exact: true }).click();
  await page.getByTestId('fix-link').click();
  await expect(page.getByTestId('remedy')).toContainText('XKS_PROXY_ACCESS_DENIED');
  await expect(page.getByTestId('meaning')).toContainText('authorization denies');
  await expect(page.getByTestId('fix-steps')).toContainText('authorization policy');
  await expect(page.getByRole('link', { name: 'Edit the store' })).toHaveCount(0);
  // The demo panel plays the proxy's administrators: its authorization lets KMS in.
  await page.goto('/demo');
  await waitForHydration(page);
  const proxy = page.getByTestId('demo-proxy').filter({ hasText: 'proxy-d.xks.sim.internal/orders/' });
  await expect(proxy).toContainText('authorization denies KMS');
  await proxy.getByRole('button', { name: 'Authorization lets KMS in' }).click();
  await expect(page.getByTestId('demo-outcome')).toContainText('lets in KMS');
  await page.goto('/');
  await page.getByRole('link', { name: 'orders-xks', exact: true }).click();
  await page.getByTestId('fix-link').click();
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 30_000 });
  await expect(page.getByTestId('store-now')).toContainText('CONNECTED');
});

test('a proxy broken from the demo panel fails its store at the next connect', async ({ page }) => {
  await page.goto('/demo');
  await expect(page.getByRole('button', { name: 'Reset the demo data' })).toBeVisible();
  await waitForHydration(page);
  const proxy = page.getByTestId('demo-proxy').filter({ hasText: 'proxy-a.xks.sim.internal/payments/' });
  await proxy.getByRole('button', { name: 'Take down' }).click();
  await expect(page.getByTestId('demo-outcome')).toContainText('is down');
  await expect(page.getByTestId('demo-proxy').filter({ hasText: 'proxy-a.xks.sim.internal/payments/' })).toContainText('down');
  await page.goto('/');
  await page.getByRole('link', { name: 'payments-xks', exact: true }).click();
  // As with AWS, nothing shows until the store connects again.
  await expect(page.getByTestId('state')).toHaveText('CONNECTED');
  await waitForHydration(page);
  const disconnect = page.getByTestId('action-disconnect');
  await disconnect.getByRole('checkbox').check();
  await disconnect.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByTestId('state')).toHaveText('DISCONNECTED', { timeout: 15_000 });
  const connect = page.getByTestId('action-connect');
  await connect.getByRole('checkbox').check();
  await connect.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('state')).toHaveText('FAILED', { timeout: 15_000 });
  await expect(page.getByTestId('error-code')).toContainText('XKS_PROXY_NOT_REACHABLE');
  await page.getByTestId('fix-link').click();
  await page.getByRole('link', { name: 'Test connection' }).click();
  await expect(page.getByTestId('layer-tcp')).toContainText('refused');
});
