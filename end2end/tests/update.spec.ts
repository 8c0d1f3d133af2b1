import { expect, Page, test } from '@playwright/test';
import { ADMIN_PASSWORD, screenshot, signIn, waitForHydration, watchForProblems } from './helpers';

// These run after the fleet and store journeys (files run in name order, one worker), and change
// payments-xks and hsm-eu-failed in the demo data.

const ROTATED_SECRET = 'cGF5bWVudHMtZGVtby1yb3RhdGVkLXNlY3JldC1mb3IteGtzLTI=';
const PAYMENTS_SECRET = 'cGF5bWVudHMtZGVtby1zZWNyZXQta2V5LWZvci14a3MtMDE=';

function configFile(path: string, akid: string, secret: string) {
  return {
    name: 'proxy-config.json',
    mimeType: 'application/json',
    buffer: Buffer.from(
      JSON.stringify({
        XksProxyUriPath: path,
        XksProxyAuthenticationCredential: { AccessKeyId: akid, RawSecretAccessKey: secret },
      }),
    ),
  };
}

async function openEdit(page: Page, store: string) {
  await page.getByRole('link', { name: store, exact: true }).click();
  await expect(page.getByRole('heading', { name: new RegExp(store) })).toBeVisible();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Edit ${store}`) })).toBeVisible();
  await waitForHydration(page);
}

async function startRun(page: Page) {
  await page.getByRole('checkbox', { name: /I have read the impact/ }).check();
  await page.getByRole('button', { name: 'Start the run' }).click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
}

test('an endpoint change of a connected XKS store disconnects, updates and reconnects it', async ({ page }) => {
  const problems = watchForProblems(page);
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await openEdit(page, 'payments-xks');
  await expect(page.getByTestId('badge-endpoint')).toHaveText('needs DISCONNECTED');
  await expect(page.getByTestId('badge-path')).toHaveText('editable now');
  await expect(page.getByTestId('badge-vpc_name')).toHaveText('not applicable');
  // Checked as the operator types.
  await page.getByLabel(/Proxy URI endpoint/).fill('https://proxy-a2.xks.sim.internal:443');
  await expect(page.getByText('XksProxyUriEndpoint must be https:// and a host name')).toBeVisible();
  await page.getByLabel(/Proxy URI endpoint/).fill('https://proxy-a2.xks.sim.internal');
  await expect(page.getByText('XksProxyUriEndpoint must be https:// and a host name')).toBeHidden();
  // Switching to VPC connectivity makes the VPC fields apply.
  await page.getByLabel(/Proxy connectivity/).selectOption('VPC_ENDPOINT_SERVICE');
  await expect(page.getByTestId('badge-vpc_name')).toHaveText('needs DISCONNECTED');
  await expect(page.getByText('XksProxyVpcEndpointServiceName is required')).toBeVisible();
  await page.getByLabel(/Proxy connectivity/).selectOption('PUBLIC_ENDPOINT');
  // The credential again, so the preflight can sign its probe.
  await page.getByLabel('Secret access key').fill(PAYMENTS_SECRET);
  await screenshot(page, 'edit');
  await page.getByRole('button', { name: 'Review the change' }).click();
  await expect(page).toHaveURL(/\/review\//);
  await expect(page.getByTestId('diff')).toContainText('https://proxy-a2.xks.sim.internal');
  await expect(page.getByTestId('plan-summary')).toHaveText(/^disconnect \(keys unusable for about \d+ seconds\), update, reconnect, verify$/);
  await expect(page.getByTestId('impact')).toContainText('unusable');
  await expect(page.getByTestId('preflight-verdict')).toContainText('Passed');
  await expect(page.getByTestId('preflight-credential')).toHaveText('yes');
  await expect(page.getByTestId('preflight')).toContainText('ekm-1');
  await screenshot(page, 'review');
  await startRun(page);
  await expect(page.getByTestId('step-disconnect')).toBeVisible();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  await screenshot(page, 'run');
  // The run page is live: the server's events bring each step, in place (nothing polls, and
  // anything kept in the page survives only if it is never reloaded).
  await expect(page.locator('body')).toHaveAttribute('data-live', 'true');
  await page.evaluate(() => { (window as unknown as { kept: number }).kept = 5; });
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 20_000 });
  expect(await page.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(5);
  for (const step of ['disconnect', 'wait_disconnected', 'update', 'connect', 'wait_connected', 'verify']) {
    await expect(page.getByTestId(`step-${step}`)).toContainText('done');
  }
  await expect(page.getByTestId('store-now')).toContainText('CONNECTED');
  expect(problems).toEqual([]);
});

test('a proxy configuration file changes path and credential of a connected XKS store without disconnecting it', async ({ page }) => {
  const sent: string[] = [];
  page.on('request', (r) => { if (r.url().includes('upload-config')) sent.push(r.url()); });
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await openEdit(page, 'payments-xks');
  await page.getByLabel('Upload configuration file').setInputFiles(
    configFile('/payments-v2/kms/xks/v1', 'PAYMENTSXKSROTATEDKY', ROTATED_SECRET),
  );
  await expect(page.getByTestId('file-status')).toContainText('filled in the proxy URI path and credential');
  await expect(page.getByLabel(/Proxy URI path/)).toHaveValue('/payments-v2/kms/xks/v1');
  await expect(page.getByLabel('Access key ID')).toHaveValue('PAYMENTSXKSROTATEDKY');
  const secret = page.getByLabel('Secret access key');
  await expect(secret).toHaveAttribute('type', 'password');
  await expect(secret).toHaveValue(ROTATED_SECRET);
  await page.getByRole('button', { name: 'Show secret' }).click();
  await expect(secret).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide secret' }).click();
  await expect(secret).toHaveAttribute('type', 'password');
  // The browser read the file itself: nothing was uploaded.
  expect(sent).toEqual([]);
  await page.getByRole('checkbox', { name: /Connect the store when the change is done/ }).uncheck();
  await page.getByRole('button', { name: 'Review the change' }).click();
  await expect(page.getByTestId('diff')).toContainText('PAYMENTSXKSROTATEDKY / secret changed');
  await expect(page.getByTestId('diff')).not.toContainText(ROTATED_SECRET);
  await expect(page.getByTestId('plan-summary')).toHaveText('update, verify');
  await expect(page.getByTestId('impact')).toContainText('stays CONNECTED');
  await expect(page.getByTestId('preflight-verdict')).toContainText('Passed');
  await startRun(page);
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 20_000 });
  await expect(page.getByTestId('step-disconnect')).toHaveCount(0);
  await expect(page.getByTestId('store-now')).toContainText('CONNECTED');
  expect(await page.content()).not.toContain(ROTATED_SECRET);
  // The audit log has the run, the fields and no secret.
  await page.getByRole('link', { name: 'Audit log of this store' }).click();
  await expect(page.getByTestId('audit-row').first()).toContainText('XksProxyUriPath, XksProxyAuthenticationCredential');
  await expect(page.getByTestId('audit')).not.toContainText(ROTATED_SECRET);
});

test('a bad configuration file gets a precise message and changes nothing', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await openEdit(page, 'payments-xks');
  const before = await page.getByLabel(/Proxy URI path/).inputValue();
  await page.getByLabel('Upload configuration file').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{\n  "XksProxyUriPath": "/x/kms/xks/v1",\n  "XksProxyAuthenticationCredential": {\n    AccessKeyId: 1\n  }\n}'),
  });
  await expect(page.getByTestId('file-status')).toHaveText(/The file is not valid JSON: .* at line 4, column 5\./);
  await expect(page.getByLabel(/Proxy URI path/)).toHaveValue(before);
  await page.getByLabel('Upload configuration file').setInputFiles({
    name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(70 * 1024, 32),
  });
  await expect(page.getByTestId('file-status')).toContainText('larger than 64 KiB');
  await page.getByLabel('Upload configuration file').setInputFiles({
    name: 'short.json', mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ XksProxyAuthenticationCredential: { AccessKeyId: 'PAYMENTSXKSROTATEDKY', RawSecretAccessKey: 'short' } })),
  });
  await expect(page.getByTestId('file-status')).toContainText('RawSecretAccessKey must be 43 to 64 characters long');
  await expect(page.getByLabel('Secret access key')).toHaveValue('');
});

test('a failing preflight blocks the run until the operator overrides it', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await openEdit(page, 'payments-xks');
  await page.getByLabel('Secret access key').fill('d' + ROTATED_SECRET.slice(1));
  await page.getByRole('button', { name: 'Review the change' }).click();
  await expect(page.getByTestId('preflight-verdict')).toContainText('Failed');
  await expect(page.getByTestId('preflight-verdict')).toContainText('AuthenticationFailedException');
  // The proxy was reached and refused the signature: the credential is not accepted.
  await expect(page.getByTestId('preflight-credential')).toHaveText('no');
  await page.getByRole('checkbox', { name: /I have read the impact/ }).check();
  await page.getByRole('button', { name: 'Start the run' }).click();
  await expect(page.getByRole('alert')).toContainText('The preflight failed, so the run was not started');
  await expect(page).toHaveURL(/\/review\//);
  // Overridden: KMS refuses the update itself, and the run offers the next steps.
  await page.getByRole('checkbox', { name: /Run anyway/ }).check();
  await page.getByRole('button', { name: 'Start the run' }).click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId('run-status')).toHaveText('failed', { timeout: 20_000 });
  await expect(page.getByTestId('run-error')).toContainText('credential');
  await expect(page.getByTestId('next-steps')).toContainText('Leave the store as it is');
  await page.getByRole('button', { name: 'Leave the store as it is' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('closed');
});

test('a CloudHSM store gets its new kmsuser password: disconnect, update, connect', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await openEdit(page, 'hsm-eu-failed');
  await expect(page.getByTestId('badge-password')).toHaveText('needs DISCONNECTED');
  await expect(page.getByTestId('badge-path')).toHaveCount(0);
  await page.getByLabel(/kmsuser password/).fill('kmsuser-rotated-pw');
  await page.getByRole('checkbox', { name: /Connect the store when the change is done/ }).check();
  await page.getByRole('button', { name: 'Review the change' }).click();
  await expect(page.getByTestId('diff')).toContainText('changed');
  await expect(page.getByTestId('diff')).not.toContainText('kmsuser-rotated-pw');
  await expect(page.getByTestId('plan-summary')).toContainText('disconnect (keys unusable for about');
  await expect(page.getByTestId('preflight')).toHaveCount(0);
  await startRun(page);
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 20_000 });
  await expect(page.getByTestId('store-now')).toContainText('CONNECTED');
});
