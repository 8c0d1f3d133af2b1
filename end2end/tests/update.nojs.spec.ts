import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, signIn } from './helpers';

// JavaScript is off: the file goes to the server as a multipart upload, and every step is a form.

test('a configuration file uploaded without JavaScript fills the form and the change runs', async ({ page }) => {
  const secret = 'cGF5bWVudHMtZGVtby1yb3RhdGVkLXNlY3JldC1mb3IteGtzLTI=';
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.getByRole('link', { name: 'payments-xks', exact: true }).click();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByLabel('Upload configuration file').setInputFiles({
    name: 'proxy.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({
      XksProxyUriPath: '/payments-v2/kms/xks/v1',
      XksProxyAuthenticationCredential: { AccessKeyId: 'PAYMENTSXKSROTATEDKY', RawSecretAccessKey: secret },
      Vendor: 'kms-sim',
    })),
  });
  await page.getByRole('button', { name: 'Load file' }).click();
  await expect(page).toHaveURL(/\/edit\?upload=/);
  await expect(page.getByTestId('file-status')).toContainText('Unknown key "Vendor" was ignored.');
  await expect(page.getByLabel(/Proxy URI path/)).toHaveValue('/payments-v2/kms/xks/v1');
  await expect(page.getByLabel('Access key ID')).toHaveValue('PAYMENTSXKSROTATEDKY');
  // The secret stays on the server; the page never holds it.
  await expect(page.getByLabel('Secret access key')).toHaveValue('');
  await expect(page.getByLabel('Secret access key')).toHaveAttribute('placeholder', /kept on the server/);
  expect(await page.content()).not.toContain(secret);
  await page.getByRole('button', { name: 'Review the change' }).click();
  await expect(page).toHaveURL(/\/review\//);
  await expect(page.getByTestId('preflight-verdict')).toContainText('Passed');
  await page.getByRole('checkbox', { name: /I have read the impact/ }).check();
  await page.getByRole('button', { name: 'Start the run' }).click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  // The page refreshes itself until the run stops.
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 20_000 });
});

test('a bad file uploaded without JavaScript is refused with its reason', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.getByRole('link', { name: 'payments-xks', exact: true }).click();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByLabel('Upload configuration file').setInputFiles({
    name: 'proxy.json', mimeType: 'application/json', buffer: Buffer.from('{"XksProxyUriPath": ["/kms/xks/v1"]}'),
  });
  await page.getByRole('button', { name: 'Load file' }).click();
  await expect(page.getByTestId('file-status')).toHaveText(/XksProxyUriPath must be a string, not an array\./);
});
