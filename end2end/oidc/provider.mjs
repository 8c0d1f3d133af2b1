// A real OpenID provider for the tests: the certified `oidc-provider` package from npm, with a
// configuration of our own. Used by the browser tests (playwright.config.ts starts it) and by the
// Rust integration tests (server/tests/oidc.rs spawns it).
//
// Environment:
//   OIDC_PORT           the provider's port (0: any free one)
//   OIDC_CONTROL_PORT   the test control port (0: any free one)
//   OIDC_REDIRECT_URIS  comma-separated redirect URIs of the client `cks-console`
//   OIDC_LOGOUT_URIS    comma-separated post-logout redirect URIs
//   OIDC_CLIENT_SECRET  the client secret (default below)
//   OIDC_CLAIMS_IN      `id-token` (default): profile and groups in the ID token; `userinfo`:
//                       only at the userinfo endpoint, as OpenID Connect Core puts them when an
//                       access token is issued (oidc-provider's own default)
//
// Prints one line `ready ISSUER CONTROL_URL` when both listen.
//
// Users (the dev interaction pages take any password):
//   olivia  groups [cks-operators]        -> operator
//   victor  groups [cks-viewers, staff]   -> viewer
//   nadia   groups [staff]                -> refused: no allowed group
// The claim `cks_roles` (scope `cks_roles`) swaps olivia's and victor's roles, for a test of
// --oidc-groups-claim.
//
// The control port (tests only) changes the provider while it runs:
//   POST /down    stop answering (the port is closed)
//   POST /up      answer again, same keys
//   POST /rotate  new signing key (a new kid), answering again
//   POST /mode/normal | /mode/expired | /mode/audience | /mode/issuer | /mode/nonce | /mode/forged
//                 the token endpoint's ID token as issued; or re-signed with the provider's own
//                 key after it expired, for another audience, from another issuer, or with another
//                 nonce; or signed with a key the provider does not publish
//   POST /groups/USER/G1,G2  the user's groups from now on
//   GET  /codes   how many token requests the provider answered
//   GET  /last-id-token  the last ID token it issued (the secret scans look for it)

import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const env = process.env;
const redirectUris = (env.OIDC_REDIRECT_URIS ?? '').split(',').filter(Boolean);
const logoutUris = (env.OIDC_LOGOUT_URIS ?? '').split(',').filter(Boolean);
const clientSecret = env.OIDC_CLIENT_SECRET ?? 'cks-e2e-client-secret';

const users = {
  olivia: { name: 'Olivia Operator', groups: ['cks-operators'], roles: ['cks-viewers'] },
  victor: { name: 'Victor Viewer', groups: ['cks-viewers', 'staff'], roles: ['cks-operators'] },
  nadia: { name: 'Nadia Nogroup', groups: ['staff'], roles: [] },
};

let mode = 'normal';
let tokenRequests = 0;
let lastIdToken = '';

function newKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };
}

let key = newKey();

const b64 = (buf) => Buffer.from(buf).toString('base64url');
const unb64 = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

// Signs the token's claims again with the provider's current key, after `change`.
function resign(idToken, change, signer) {
  const [h, p] = idToken.split('.');
  const header = unb64(h);
  const payload = change(unb64(p));
  const signingInput = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const privateKey = signer ?? crypto.createPrivateKey({ key, format: 'jwk' });
  const signature = crypto.sign('sha256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${b64(signature)}`;
}

const changes = {
  expired: (c) => ({ ...c, iat: c.iat - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }),
  audience: (c) => ({ ...c, aud: 'another-application', azp: 'another-application' }),
  issuer: (c) => ({ ...c, iss: 'http://127.0.0.1:1' }),
  nonce: (c) => ({ ...c, nonce: 'not-the-nonce-the-console-sent' }),
};

// A key the provider does not publish, under the kid of the one it does: a forged signature.
const forger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'cks-console',
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      post_logout_redirect_uris: logoutUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    jwks: { keys: [key] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
      // The same people in other groups, under another claim name (--oidc-groups-claim).
      cks_roles: ['cks_roles'],
    },
    // Profile and groups in the ID token itself, as identity providers commonly configure it;
    // or only at the userinfo endpoint.
    conformIdTokenClaims: env.OIDC_CLAIMS_IN === 'userinfo',
    pkce: { required: () => true },
    findAccount: async (ctx, id) => users[id] ? {
      accountId: id,
      claims: async () => ({
        sub: id,
        name: users[id].name,
        preferred_username: id,
        groups: users[id].groups,
        cks_roles: users[id].roles,
      }),
    } : undefined,
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    ttl: { Session: 600, Interaction: 600, Grant: 600, AuthorizationCode: 60, IdToken: 300, AccessToken: 300 },
  });
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.status === 200) {
      tokenRequests += 1;
      if (mode !== 'normal' && ctx.body?.id_token) {
        const idToken = mode === 'forged'
          ? resign(ctx.body.id_token, (c) => c, forger)
          : resign(ctx.body.id_token, changes[mode]);
        ctx.body = { ...ctx.body, id_token: idToken };
      }
      lastIdToken = ctx.body?.id_token ?? '';
    }
  });
  return provider;
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
}

// The provider's HTTP server, closed and opened again by the control port.
let server = null;
let port = Number(env.OIDC_PORT ?? 0);
let sockets = new Set();

async function up() {
  if (server) return;
  const provisional = http.createServer();
  sockets = new Set();
  provisional.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  port = await listen(provisional, port);
  const provider = makeProvider(`http://127.0.0.1:${port}`);
  provisional.on('request', provider.callback());
  server = provisional;
}

async function down() {
  if (!server) return;
  const closing = server;
  server = null;
  await new Promise((resolve) => {
    closing.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
}

const control = http.createServer(async (req, res) => {
  const path = req.url ?? '';
  const done = (status, body) => { res.writeHead(status, { 'content-type': 'text/plain' }); res.end(body); };
  try {
    if (req.method === 'POST' && path === '/down') { await down(); return done(200, 'down'); }
    if (req.method === 'POST' && path === '/up') { await up(); return done(200, 'up'); }
    if (req.method === 'POST' && path === '/rotate') {
      await down();
      key = newKey();
      await up();
      return done(200, key.kid);
    }
    const g = path.match(/^\/groups\/([a-z]+)\/([a-z,-]*)$/);
    if (req.method === 'POST' && g && users[g[1]]) {
      users[g[1]].groups = g[2].split(',').filter(Boolean);
      return done(200, users[g[1]].groups.join(','));
    }
    const m = path.match(/^\/mode\/(normal|expired|audience|issuer|nonce|forged)$/);
    if (req.method === 'POST' && m) { mode = m[1]; return done(200, mode); }
    if (req.method === 'GET' && path === '/codes') return done(200, String(tokenRequests));
    if (req.method === 'GET' && path === '/last-id-token') return done(200, lastIdToken);
    return done(404, 'no such control');
  } catch (e) {
    return done(500, String(e));
  }
});

await up();
const controlPort = await listen(control, Number(env.OIDC_CONTROL_PORT ?? 0));
console.log(`ready http://127.0.0.1:${port} http://127.0.0.1:${controlPort}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
