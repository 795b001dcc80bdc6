import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManualClock, createSilentLogger } from '@gatehouse/core';
import type { StoreBackend } from '@gatehouse/store/testing';
import type { FastifyInstance } from 'fastify';
import { validateConfig } from '../../src/config/load.js';
import { createIssuer, type Issuer } from '../../src/issuer.js';
import {
  authorizeQuery,
  CookieJar,
  csrfTokenOf,
  PASSWORD,
  REDIRECT,
} from '../../src/testing/browser-flow.js';
import { DEVICE_CODE_GRANT_TYPE } from '../../src/testing/device-flow.js';
import { SERVICE_SECRET, testConfigDocument } from '../../src/testing/harness.js';

/** The robustness sweep's issuer: a client of every kind, one person, and their sign-in. */

export const APP_SECRET = 'web-app-secret-0123456789abcdefghijklmnop';
export const LOGOUT_REDIRECT = 'https://app.test/signed-out';

export const sweepConfig = {
  clients: [
    {
      client_id: 'web-app',
      client_name: 'Web App',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
      post_logout_redirect_uris: [LOGOUT_REDIRECT],
    },
    {
      client_id: 'spa',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
    },
    {
      client_id: 'cli',
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_CODE_GRANT_TYPE, 'refresh_token'],
      scope: 'orders:read',
    },
    {
      client_id: 'service',
      client_secret: SERVICE_SECRET,
      grant_types: ['client_credentials'],
      scope: 'orders:read orders:write ledger:read',
    },
    { client_id: 'resource-server', client_secret: SERVICE_SECRET, scope: '' },
  ],
  users: [{ username: 'alice', name: 'Alice Example', password: PASSWORD }],
};

/** Signs alice in through /authorize and /login; the jar holds the browser's cookies. */
export async function signIn(target: FastifyInstance): Promise<CookieJar> {
  const jar = new CookieJar();
  const get = async (url: string) => {
    const res = await target.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
    jar.take(res);
    return res;
  };
  const start = await get(`/authorize?${authorizeQuery()}`);
  const loginUrl = new URL(String(start.headers.location));
  const login = await get(loginUrl.pathname + loginUrl.search);
  const res = await target.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      csrf_token: csrfTokenOf(login.body),
      interaction_id: loginUrl.searchParams.get('interaction')!,
      username: 'alice',
      password: PASSWORD,
    }).toString(),
  });
  assert.equal(res.statusCode, 303, res.body);
  jar.take(res);
  return jar;
}

/** An issuer like the test issuer but under another master key: its cookies mean nothing here. */
export async function startIssuerWithAnotherMasterKey(
  backend: StoreBackend,
): Promise<{ issuer: Issuer; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-robustness-'));
  const store = await backend.open();
  const issuer = await createIssuer(
    validateConfig({ data_dir: dataDir, ...testConfigDocument(sweepConfig) }),
    {
      store,
      clock: createManualClock(Date.now()),
      logger: createSilentLogger(),
      env: { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64url') },
    },
  );
  return {
    issuer,
    async close() {
      try {
        await issuer.close();
      } finally {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
