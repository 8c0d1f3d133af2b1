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
// Two more consoles sign in through the test OpenID provider (oidc/provider.mjs).
const oidcPort = 3109;
const oidcNoJsPort = 3110;
export const IDP_PORT = 3111;
export const IDP_CONTROL_PORT = 3112;
const IDP_CLIENT_SECRET = 'cks-e2e-client-secret';

function server(port: number, extra = '', env: Record<string, string> = {}) {
  return {
    command: `${bin} --ephemeral --listen 127.0.0.1:${port} --site-root ../target/site${extra}`,
    url: `http://127.0.0.1:${port}/healthz`,
    env: { CKS_ADMIN_PASSWORD: ADMIN_PASSWORD, CKS_LOG: 'warn', ...env },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
  };
}

function oidcServer(port: number) {
  const flags = [
    ` --oidc-issuer http://127.0.0.1:${IDP_PORT}`,
    ' --oidc-client-id cks-console',
    ' --oidc-provider-name Test-IdP',
    ' --oidc-operator-group cks-operators',
    ' --oidc-viewer-group cks-viewers',
    ` --public-url http://127.0.0.1:${port}`,
  ].join('');
  return server(port, flags, { CKS_OIDC_CLIENT_SECRET: IDP_CLIENT_SECRET });
}

const consoles = [oidcPort, oidcNoJsPort].map((p) => `http://127.0.0.1:${p}`);
const idp = {
  command: 'node oidc/provider.mjs',
  url: `http://127.0.0.1:${IDP_PORT}/.well-known/openid-configuration`,
  env: {
    OIDC_PORT: String(IDP_PORT),
    OIDC_CONTROL_PORT: String(IDP_CONTROL_PORT),
    OIDC_CLIENT_SECRET: IDP_CLIENT_SECRET,
    OIDC_REDIRECT_URIS: consoles.map((c) => `${c}/auth/oidc/callback`).join(','),
    OIDC_LOGOUT_URIS: consoles.map((c) => `${c}/login?signed_out=1`).join(','),
  },
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: 'ignore' as const,
  // It warns at every start that it is a development setup (it is, for the tests).
  stderr: 'ignore' as const,
};

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
      testIgnore: [/.*\.nojs\.spec\.ts/, /oidc\.spec\.ts/],
      use: { baseURL: `http://127.0.0.1:${hydratedPort}` },
    },
    {
      name: 'no-js',
      testMatch: /.*\.nojs\.spec\.ts/,
      testIgnore: /oidc\.nojs\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${noJsPort}`, javaScriptEnabled: false },
    },
    {
      name: 'oidc',
      testMatch: /oidc\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${oidcPort}` },
    },
    {
      name: 'oidc-no-js',
      testMatch: /oidc\.nojs\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${oidcNoJsPort}`, javaScriptEnabled: false },
    },
  ],
  webServer: [
    server(hydratedPort, ` --sim-credentials-file ${simCredentials}`),
    server(noJsPort),
    idp,
    oidcServer(oidcPort),
    oidcServer(oidcNoJsPort),
  ],
});
