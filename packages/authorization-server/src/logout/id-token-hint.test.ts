import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { encodeJwsHeader, signCompactJws } from '../keys/signing-key.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';
import { type IdTokenHintResult, verifyIdTokenHint } from './id-token-hint.js';
import { type Browser, idTokenFor, logoutClients, logoutUsers, signInBrowser } from './testing.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

describe('id_token_hint (RP-Initiated Logout §2: "the OP MUST validate that it was the issuer")', () => {
  let t: TestIssuer;
  let alice: Browser;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), { clients: logoutClients(), users: logoutUsers });
    alice = await signInBrowser(t);
  });
  after(() => t.close());

  /** A JWT signed with our own key: only the claims or header make it unacceptable. */
  const signed = (claims: Record<string, unknown>, header: Record<string, unknown> = { typ: 'JWT' }) => {
    const key = t.issuer.context.keys.signingKey();
    const now = Math.floor(t.clock() / 1000);
    const body = {
      iss: TEST_ISSUER,
      sub: alice.user.id,
      aud: 'web-app',
      iat: now,
      exp: now + 300,
      ...claims,
    };
    return signCompactJws(key, encodeJwsHeader({ alg: key.alg, kid: key.kid, ...header }), body);
  };
  const verify = (token: string) => verifyIdTokenHint(t.issuer.context, token);
  const refused = (result: IdTokenHintResult, reason: RegExp) => {
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.reason, reason);
  };

  it('accepts our ID token and names its client, subject and sid', async () => {
    const result = await verify(await idTokenFor(t, alice, 'notes'));
    assert.ok(result.ok);
    assert.equal(result.hint.client.clientId, 'notes');
    assert.equal(result.hint.subject, alice.user.id);
    assert.equal(result.hint.sid, alice.session.sid);
  });

  it('accepts it long after it expired', async () => {
    const token = await idTokenFor(t, alice, 'web-app');
    t.clock.advance(86_400);
    assert.equal((await verify(token)).ok, true);
  });

  it('accepts an aud of one element and no typ', async () => {
    assert.equal((await verify(signed({ aud: ['web-app'] }, {}))).ok, true);
  });

  it('refuses what is not a JWS we signed', async () => {
    refused(await verify('not-a-jwt'), /not verified/);
    const token = await idTokenFor(t, alice, 'web-app');
    const [header, payload] = token.split('.');
    const other = signed({ sub: 'someone-else' }).split('.')[2];
    refused(await verify(`${header}.${payload}.${other}`), /not verified/);
    refused(await verify(signed({}, { typ: 'JWT', kid: 'unknown-kid' })), /not verified/);
  });

  it('refuses our access and logout tokens by their typ', async () => {
    refused(await verify(signed({}, { typ: 'at+jwt' })), /typ at\+jwt/);
    refused(await verify(signed({}, { typ: 'logout+jwt' })), /typ logout\+jwt/);
  });

  it('refuses another issuer, a missing sub, and an aud that is not one registered client', async () => {
    refused(await verify(signed({ iss: 'https://other.test' })), /iss/);
    refused(await verify(signed({ sub: undefined })), /no sub/);
    refused(await verify(signed({ aud: ['web-app', 'notes'] })), /aud is not one client/);
    refused(await verify(signed({ aud: 'https://api.test' })), /not a registered client/);
    refused(await verify(signed({ events: {} })), /logout token/);
  });
});
