/**
 * Interoperability of mutual TLS (RFC 8705) with oauth4webapi v3: the client discovers the
 * issuer over plain HTTP, follows `mtls_endpoint_aliases` (`use_mtls_endpoint_aliases`) to the
 * HTTPS listener, authenticates with `TlsClientAuth()` through a fetch that presents its
 * certificate, and gets certificate-bound tokens that introspection describes.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIssuer, type Issuer, validateConfig } from '@gatehouse/authorization-server';
import { createSilentLogger } from '@gatehouse/core';
import { storeBackends } from '@gatehouse/store/testing';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import {
  CLIENT_SUBJECT_DN,
  createTestCertificates,
  type TestCertificates,
} from '../../src/testing/certificates.js';
import { freePort, publicJwk } from '../../src/testing/mtls-issuer.js';
import { tlsFetch } from '../../src/testing/tls-client.js';

const MASTER_KEY = Buffer.alloc(32, 5).toString('base64url');
const OPAQUE_API = 'https://ledger.interop.test';
const JWT_API = 'https://api.interop.test';

describe('mutual TLS with oauth4webapi (RFC 8705)', () => {
  let certs: TestCertificates;
  let issuer: Issuer;
  let dataDir: string;
  let issuerUrl: URL;
  let mtlsBase: string;
  let as: oauth.AuthorizationServer;
  let closeStore = async () => {};
  const insecure = { [oauth.allowInsecureRequests]: true } as const;

  before(async () => {
    certs = createTestCertificates();
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-mtls-interop-'));
    const [port, tlsPort] = [await freePort(), await freePort()];
    issuerUrl = new URL(`http://127.0.0.1:${port}`);
    mtlsBase = `https://localhost:${tlsPort}`;
    const config = validateConfig({
      issuer: issuerUrl.origin,
      data_dir: dataDir,
      log_level: 'silent',
      request_logging: false,
      resources: [
        { id: JWT_API, scopes: ['orders:read'], token_format: 'jwt' },
        { id: OPAQUE_API, scopes: ['ledger:read'], token_format: 'opaque' },
      ],
      clients: [
        {
          client_id: 'billing',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: CLIENT_SUBJECT_DN,
          tls_client_certificate_bound_access_tokens: true,
          scope: 'orders:read ledger:read',
        },
        {
          client_id: 'device-42',
          token_endpoint_auth_method: 'self_signed_tls_client_auth',
          jwks: { keys: [publicJwk(certs.selfSigned)] },
          tls_client_certificate_bound_access_tokens: true,
          scope: 'orders:read',
        },
      ],
      tls: {
        cert_file: certs.server.certFile,
        key_file: certs.server.keyFile,
        client_ca_file: certs.ca.certFile,
        host: '127.0.0.1',
        port: tlsPort,
        mtls_base_url: mtlsBase,
      },
    });
    const store = await storeBackends()
      .find((backend) => backend.name === 'sqlite')!
      .open();
    issuer = await createIssuer(config, {
      store,
      logger: createSilentLogger(),
      env: { GATEHOUSE_MASTER_KEY: MASTER_KEY },
    });
    await issuer.app.listen({ host: '127.0.0.1', port });
    await issuer.mtlsApp!.listen({ host: '127.0.0.1', port: tlsPort });
    closeStore = () => store.close();
    as = await oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, insecure));
  });
  after(async () => {
    await issuer?.close();
    await closeStore();
    certs?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const thumbprint = (pem: string) =>
    Buffer.from(new X509Certificate(pem).fingerprint256.replace(/:/g, ''), 'hex').toString('base64url');

  const clientCredentials = async (
    clientId: string,
    certificate: { cert: string; key: string },
    resource: string,
  ) => {
    const client: oauth.Client = { client_id: clientId, use_mtls_endpoint_aliases: true };
    const options = { [oauth.customFetch]: tlsFetch(certificate, certs.ca.cert) };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.TlsClientAuth(),
      { resource },
      options,
    );
    return oauth.processClientCredentialsResponse(as, client, response);
  };

  it('finds the mutual-TLS endpoints in the metadata', () => {
    assert.equal(as.tls_client_certificate_bound_access_tokens, true);
    assert.equal(as.mtls_endpoint_aliases?.token_endpoint, `${mtlsBase}/token`);
    assert.ok(as.token_endpoint_auth_methods_supported?.includes('tls_client_auth'));
  });

  it('gets a certificate-bound JWT with tls_client_auth', async () => {
    const result = await clientCredentials('billing', certs.client, JWT_API);
    assert.equal(result.token_type, 'bearer');
    assert.deepEqual(decodeJwt(result.access_token)['cnf'], { 'x5t#S256': thumbprint(certs.client.cert) });
  });

  it('gets a token with self_signed_tls_client_auth, and introspection shows its cnf', async () => {
    const result = await clientCredentials('device-42', certs.selfSigned, JWT_API);
    assert.deepEqual(decodeJwt(result.access_token)['cnf'], {
      'x5t#S256': thumbprint(certs.selfSigned.cert),
    });

    const opaque = await clientCredentials('billing', certs.client, OPAQUE_API);
    const billing: oauth.Client = { client_id: 'billing', use_mtls_endpoint_aliases: true };
    const introspection = await oauth.processIntrospectionResponse(
      as,
      billing,
      await oauth.introspectionRequest(as, billing, oauth.TlsClientAuth(), opaque.access_token, {
        [oauth.customFetch]: tlsFetch(certs.client, certs.ca.cert),
      }),
    );
    assert.equal(introspection.active, true);
    assert.deepEqual(introspection.cnf, { 'x5t#S256': thumbprint(certs.client.cert) });
  });

  it('surfaces a certificate from an untrusted CA as invalid_client', async () => {
    await assert.rejects(clientCredentials('billing', certs.untrustedClient, JWT_API), {
      name: 'ResponseBodyError',
      error: 'invalid_client',
      status: 401,
    });
  });
});
