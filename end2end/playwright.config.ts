import { defineConfig } from '@playwright/test';

// The console binary built by `cargo leptos build`; the Makefile passes its path.
const bin = process.env.CKS_BIN ?? '../target/debug/cks-console';
export const ADMIN_PASSWORD = 'e2e-admin-password';
// The hydrated console's simulator keys, for tests that act as another tool in the same account
// (live.spec.ts). Set once by the runner; its workers inherit it.
process.env.CKS_E2E_SIM_CREDENTIALS ??= `${process.env.TMPDIR ?? '/tmp'}/cks-e2e-sim-credentials-${process.pid}`;
const simCredentials = process.env.CKS_E2E_SIM_CREDENTIALS;

// Each project gets its own ephemeral console, so their sign-in throttles and users stay apart.
const hydratedPort = 3107;
const noJsPort = 3108;

function server(port: number, extra = '') {
  return {
    command: `${bin} --ephemeral --listen 127.0.0.1:${port} --site-root ../target/site${extra}`,
    url: `http://127.0.0.1:${port}/healthz`,
    env: { CKS_ADMIN_PASSWORD: ADMIN_PASSWORD, CKS_LOG: 'warn' },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
  };
}

export default defineConfig({
  testDir: './tests',
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
    trace: 'off',
  },
  projects: [
    {
      name: 'hydrated',
      testIgnore: /.*\.nojs\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${hydratedPort}` },
    },
    {
      name: 'no-js',
      testMatch: /.*\.nojs\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${noJsPort}`, javaScriptEnabled: false },
    },
  ],
  webServer: [server(hydratedPort, ` --sim-credentials-file ${simCredentials}`), server(noJsPort)],
});
