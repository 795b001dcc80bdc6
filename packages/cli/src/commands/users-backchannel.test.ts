import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIssuer, type DeliverLogoutToken, loadConfig } from '@gatehouse/authorization-server';
import { createSilentLogger } from '@gatehouse/core';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { commands } from '../main.js';
import type { PasswordInput } from '../password-input.js';
import { type CliRun, createCliSandbox, runCli, SANDBOX_CONFIG } from '../testing/run-cli.js';
import { createUsersCommand } from './users.js';

const PASSWORD = 'correct horse battery staple';
const LOGOUT_URI = 'https://shop.test/backchannel-logout';
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
// SANDBOX_CONFIG ends in its clients list: one more app, which registered back-channel logout.
const CONFIG = `${SANDBOX_CONFIG}  - client_id: shop
    client_secret: shop-secret-0123456789abcdefghijklmnop
    grant_types: [authorization_code]
    redirect_uris: [https://shop.test/callback]
    scope: openid
    backchannel_logout_uri: ${LOGOUT_URI}
`;

const stdinPassword: PasswordInput = {
  interactive: false,
  prompt: async () => PASSWORD,
  readAll: async () => `${PASSWORD}\n`,
};

describe('users disable signs the user out of their apps (Back-Channel Logout)', () => {
  const sandbox = createCliSandbox(CONFIG);
  let jwks: JSONWebKeySet;
  let sid: string;
  after(() => sandbox.cleanup());

  /** `gatehouse users <argv>`, its logout tokens sent with `deliver`. */
  const users = (argv: string[], deliver: DeliverLogoutToken): Promise<CliRun> =>
    runCli(
      sandbox,
      ['users', ...argv],
      [
        ...commands.filter((c) => c.name !== 'users'),
        createUsersCommand({ passwordInput: () => stdinPassword, deliverLogoutToken: deliver }),
      ],
    );

  /** A server over the sandbox's data: it makes the keys; the user signs in to the shop. */
  async function signInToShop(username: string): Promise<string> {
    const config = loadConfig({ file: join(sandbox.dir, 'gatehouse.yaml'), env: sandbox.env });
    config.data_dir = join(sandbox.dir, 'data');
    const issuer = await createIssuer(config, { env: sandbox.env, logger: createSilentLogger() });
    try {
      jwks = (await issuer.app.inject({ method: 'GET', url: '/jwks' })).json();
      const { store } = issuer.context;
      const user = (await store.users.findByUsername(username))!;
      const now = Math.floor(Date.now() / 1000);
      const session = {
        id: `session-of-${username}`,
        sid: `sid-of-${username}`,
        userId: user.id,
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: now + 3600,
        absoluteExpiresAt: now + 7200,
        authTime: now,
        amr: ['pwd'],
        acr: null,
        endedAt: null,
        endReason: null,
      };
      await store.sessions.insert(session);
      // A code issued through the session records the shop as one of its clients.
      await store.authorizationCodes.insert({
        digest: `code-of-${username}`,
        clientId: 'shop',
        userId: user.id,
        sessionId: session.id,
        grantId: null,
        redirectUri: 'https://shop.test/callback',
        scope: 'openid',
        resource: [],
        nonce: null,
        codeChallenge: 'x'.repeat(43),
        codeChallengeMethod: 'S256',
        authTime: now,
        amr: ['pwd'],
        acr: null,
        dpopJkt: null,
        issuedAt: now,
        expiresAt: now + 60,
        consumedAt: null,
        extra: {},
      });
      return session.sid;
    } finally {
      await issuer.close();
    }
  }

  before(async () => {
    const noDelivery: DeliverLogoutToken = async () => {
      throw new Error('nothing to deliver yet');
    };
    for (const username of ['alice', 'bob', 'carol']) {
      assert.equal((await users(['add', username, '--password-stdin'], noDelivery)).code, 0);
    }
    sid = await signInToShop('alice');
    await signInToShop('bob');
  });

  it('sends each app of an ended session a logout token it can verify', async () => {
    const delivered: { uri: string; logoutToken: string }[] = [];
    const result = await users(['disable', 'alice'], async ({ uri, logoutToken }) => {
      delivered.push({ uri, logoutToken });
    });
    assert.deepEqual(result, {
      code: 0,
      out:
        "disabled user 'alice'; they can no longer sign in\n" +
        'ended 1 session and revoked the tokens issued through them (offline access excepted)\n' +
        "signed out of 'shop' (back-channel logout)\n",
      err: '',
    });
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]!.uri, LOGOUT_URI);
    const { payload, protectedHeader } = await jwtVerify(delivered[0]!.logoutToken, createLocalJWKSet(jwks), {
      issuer: 'http://localhost:8080',
      audience: 'shop',
      typ: 'logout+jwt',
    });
    assert.equal(protectedHeader.alg, 'RS256', 'the key of the client’s ID tokens');
    assert.equal(payload['sid'], sid);
    assert.deepEqual(payload['events'], { [LOGOUT_EVENT]: {} });
    assert.equal(payload['nonce'], undefined);
  });

  it('still disables the user when an app cannot be told, and says so', async () => {
    const result = await users(['disable', 'bob'], async () => {
      throw new Error('the client answered 500');
    });
    assert.equal(result.code, 0);
    assert.match(result.out, /^disabled user 'bob'; they can no longer sign in$/m);
    assert.match(
      result.out,
      /^could not sign out of 'shop' \(failed: the client answered 500\); its own session ends when it expires$/m,
    );
  });

  it('needs no keys, and sends nothing, for a user without sessions', async () => {
    let calls = 0;
    const result = await users(['disable', 'carol'], async () => {
      calls += 1;
    });
    assert.deepEqual(result, {
      code: 0,
      out: "disabled user 'carol'; they can no longer sign in\n",
      err: '',
    });
    assert.equal(calls, 0);
  });
});
