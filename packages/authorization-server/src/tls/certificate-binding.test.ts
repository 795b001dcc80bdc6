import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { REDIRECT } from '../testing/browser-flow.js';
import { CLIENT_SUBJECT_DN, type TestCertificate } from '../testing/certificates.js';
import { codeFlowConfig, codeRequest, seedCode, signIn } from '../testing/code-grant.js';
import { basicAuthorization, RS_SECRET, SERVICE_SECRET } from '../testing/harness.js';
import { type MtlsTestIssuer, publicJwk, startMtlsIssuer } from '../testing/mtls-issuer.js';
import { certificateThumbprint } from './client-certificate.js';

const thumbprintOf = (certificate: TestCertificate) =>
  certificateThumbprint(new X509Certificate(certificate.cert).raw);

describe('certificate-bound access tokens (RFC 8705 §3)', () => {
  let m: MtlsTestIssuer;
  before(async () => {
    m = await startMtlsIssuer((certs) => ({
      clients: [
        {
          client_id: 'bound',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: CLIENT_SUBJECT_DN,
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ['client_credentials'],
          scope: 'orders:read ledger:read',
        },
        {
          client_id: 'unbound',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: CLIENT_SUBJECT_DN,
          grant_types: ['client_credentials'],
          scope: 'orders:read',
        },
        {
          client_id: 'secret-bound',
          client_secret: SERVICE_SECRET,
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ['client_credentials'],
          scope: 'orders:read',
        },
        {
          client_id: 'mtls-web',
          token_endpoint_auth_method: 'self_signed_tls_client_auth',
          jwks: { keys: [publicJwk(certs.selfSigned)] },
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ['authorization_code', 'refresh_token'],
          redirect_uris: [REDIRECT],
        },
        {
          client_id: 'mtls-spa',
          token_endpoint_auth_method: 'none',
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ['authorization_code', 'refresh_token'],
          redirect_uris: [REDIRECT],
        },
      ],
      users: codeFlowConfig.users,
    }));
  });
  after(() => m.close());

  const clientCredentials = (clientId: string, resource: string, extra: Record<string, string> = {}) =>
    m.request('/token', {
      form: { grant_type: 'client_credentials', client_id: clientId, resource },
      client: m.certs.client,
      ...extra,
    });

  it('puts the SHA-256 thumbprint of the certificate in the JWT’s cnf, and keeps token_type Bearer', async () => {
    const res = await clientCredentials('bound', 'https://api.test');
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json()['token_type'], 'Bearer');
    const claims = decodeJwt(res.json()['access_token'] as string);
    assert.deepEqual(claims['cnf'], { 'x5t#S256': thumbprintOf(m.certs.client) });
    assert.match(thumbprintOf(m.certs.client), /^[A-Za-z0-9_-]{43}$/);
  });

  it('binds nothing for a client that did not register tls_client_certificate_bound_access_tokens', async () => {
    const res = await clientCredentials('unbound', 'https://api.test');
    assert.equal(res.status, 200, res.body);
    assert.equal(decodeJwt(res.json()['access_token'] as string)['cnf'], undefined);
  });

  it('stores the binding of an opaque token, and introspection returns it (RFC 8705 §3.2)', async () => {
    const token = (await clientCredentials('bound', 'https://opaque.test')).json()['access_token'] as string;
    assert.match(token, /^gh_at_/);
    const res = await m.t.post('/introspect', { token }, { basic: ['resource-server', RS_SECRET] });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().active, true);
    assert.equal(res.json().token_type, 'Bearer');
    assert.deepEqual(res.json().cnf, { 'x5t#S256': thumbprintOf(m.certs.client) });
  });

  it('binds the tokens of a client that authenticates otherwise to the certificate of its connection', async () => {
    const res = await m.request('/token', {
      form: { grant_type: 'client_credentials', resource: 'https://api.test' },
      headers: { authorization: basicAuthorization('secret-bound', SERVICE_SECRET) },
      client: m.certs.otherSelfSigned,
    });
    assert.equal(res.status, 200, res.body);
    const claims = decodeJwt(res.json()['access_token'] as string);
    assert.deepEqual(claims['cnf'], { 'x5t#S256': thumbprintOf(m.certs.otherSelfSigned) });
  });

  it('refuses a client registered for bound tokens that sends no certificate', async () => {
    const res = await m.request('/token', {
      form: { grant_type: 'client_credentials', resource: 'https://api.test' },
      headers: { authorization: basicAuthorization('secret-bound', SERVICE_SECRET) },
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), {
      error: 'invalid_request',
      error_description:
        'this client’s tokens are bound to its TLS client certificate; send the request over mutual TLS',
    });
  });

  describe('at the UserInfo Endpoint, our own protected resource', () => {
    let accessToken: string;
    before(async () => {
      const who = await signIn(m.t);
      const code = await seedCode(m.t, who, { clientId: 'mtls-web', scope: 'openid profile' });
      const res = await m.request('/token', {
        form: codeRequest(code, { client_id: 'mtls-web' }),
        client: m.certs.selfSigned,
      });
      assert.equal(res.status, 200, res.body);
      accessToken = res.json()['access_token'] as string;
    });
    const userinfo = (client?: TestCertificate) =>
      m.request('/userinfo', {
        headers: { authorization: `Bearer ${accessToken}` },
        ...(client ? { client } : {}),
      });

    it('answers over a connection with the certificate the token is bound to', async () => {
      const res = await userinfo(m.certs.selfSigned);
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json()['name'], 'Alice Example');
    });

    it('rejects the token over a connection with another certificate: 401 invalid_token', async () => {
      const res = await userinfo(m.certs.client);
      assert.equal(res.status, 401);
      assert.deepEqual(res.json(), {
        error: 'invalid_token',
        error_description: 'the access token is not valid',
      });
      // RFC 8705 keeps the Bearer scheme (RFC 6750 §3): the challenge names it with the error.
      assert.match(
        String(res.headers['www-authenticate']),
        /^Bearer error="invalid_token", error_description="the access token is not valid"/,
      );
    });

    it('rejects the token without a certificate, on either listener', async () => {
      const tls = await userinfo();
      assert.equal(tls.status, 401);
      assert.equal(tls.json()['error'], 'invalid_token');
      const plain = await m.t.issuer.app.inject({
        method: 'GET',
        url: '/userinfo',
        headers: { authorization: `Bearer ${accessToken}` },
      });
      assert.equal(plain.statusCode, 401);
      assert.equal(plain.json().error, 'invalid_token');
    });
  });

  describe('refresh tokens of public clients (RFC 8705 §4)', () => {
    let refreshToken: string;
    before(async () => {
      const who = await signIn(m.t);
      const code = await seedCode(m.t, who, { clientId: 'mtls-spa', scope: 'openid' });
      const res = await m.request('/token', {
        form: codeRequest(code, { client_id: 'mtls-spa' }),
        client: m.certs.otherSelfSigned,
      });
      assert.equal(res.status, 200, res.body);
      refreshToken = res.json()['refresh_token'] as string;
    });
    const refresh = (client: TestCertificate) =>
      m.request('/token', {
        form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'mtls-spa' },
        client,
      });

    it('refuses the refresh token over a connection with another certificate', async () => {
      const res = await refresh(m.certs.client);
      assert.equal(res.status, 400);
      assert.equal(res.json()['error'], 'invalid_grant');
    });

    it('refreshes with the same certificate, and the new access token is bound to it', async () => {
      const res = await refresh(m.certs.otherSelfSigned);
      assert.equal(res.status, 200, res.body);
      const accessToken = res.json()['access_token'] as string;
      const userinfo = (client: TestCertificate) =>
        m.request('/userinfo', { headers: { authorization: `Bearer ${accessToken}` }, client });
      assert.equal((await userinfo(m.certs.otherSelfSigned)).status, 200);
      assert.equal((await userinfo(m.certs.client)).status, 401);
    });
  });
});
