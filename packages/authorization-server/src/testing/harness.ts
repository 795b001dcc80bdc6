import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManualClock, createSilentLogger, type ManualClock } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import type { LightMyRequestResponse } from 'fastify';
import { validateConfig } from '../config/load.js';
import { createIssuer, type Issuer } from '../issuer.js';

export const TEST_ISSUER = 'https://issuer.test';
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64url');
export const SERVICE_SECRET = 'service-secret-0123456789abcdefghijklmnop';
export const RS_SECRET = 'resource-server-secret-0123456789abcdefghij';

/** A config with two APIs (one per token format) and a few clients, for endpoint tests. */
export function testConfigDocument(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: TEST_ISSUER,
    log_level: 'silent',
    request_logging: false,
    resources: [
      { id: 'https://api.test', scopes: ['orders:read', 'orders:write'], token_format: 'jwt' },
      {
        id: 'https://opaque.test',
        scopes: ['ledger:read'],
        token_format: 'opaque',
        access_token_lifetime: 120,
        introspection_clients: ['resource-server'],
      },
    ],
    clients: [
      {
        client_id: 'service',
        client_secret: SERVICE_SECRET,
        grant_types: ['client_credentials'],
        scope: 'orders:read orders:write ledger:read',
      },
      {
        client_id: 'poster',
        client_secret: SERVICE_SECRET,
        token_endpoint_auth_method: 'client_secret_post',
        scope: 'orders:read',
      },
      { client_id: 'resource-server', client_secret: RS_SECRET, scope: '' },
    ],
    ...extra,
  };
}

export interface TestIssuer {
  issuer: Issuer;
  clock: ManualClock;
  /** POSTs a form to a path; `basic` is [client_id, secret]. */
  post(
    path: string,
    form: Record<string, string | string[]>,
    options?: PostOptions,
  ): Promise<LightMyRequestResponse>;
  /** Gets an access token with client_credentials (default client `service`); throws unless 200. */
  issueToken(form: Record<string, string>, basic?: [string, string]): Promise<string>;
  close(): Promise<void>;
}

export interface PostOptions {
  basic?: [string, string];
  headers?: Record<string, string>;
}

/**
 * Starts an issuer on a given store with a manual clock; nothing listens. The test issuer owns
 * the store: close() closes it too, which deletes the test database.
 */
export async function startTestIssuer(
  store: Store,
  extra: Record<string, unknown> = {},
): Promise<TestIssuer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const clock = createManualClock(Date.now());
  let issuer: Issuer;
  try {
    const config = validateConfig({ data_dir: dataDir, ...testConfigDocument(extra) });
    issuer = await createIssuer(config, {
      store,
      clock,
      logger: createSilentLogger(),
      env: { GATEHOUSE_MASTER_KEY: TEST_MASTER_KEY },
    });
  } catch (error) {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const post: TestIssuer['post'] = (path, form, options = {}) => {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      ...options.headers,
    };
    if (options.basic) headers['authorization'] = basicAuthorization(...options.basic);
    return issuer.app.inject({ method: 'POST', url: path, headers, payload: body.toString() });
  };
  return {
    issuer,
    clock,
    post,
    async issueToken(form, basic = ['service', SERVICE_SECRET]) {
      const res = await post('/token', { grant_type: 'client_credentials', ...form }, { basic });
      if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
      return res.json().access_token as string;
    },
    async close() {
      try {
        await issuer.close();
      } finally {
        // The issuer leaves a store it was given open; a test store deletes itself on close.
        await store.close();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** RFC 6749 §2.3.1 Basic credentials: each part form-urlencoded, then joined and base64-encoded. */
export function basicAuthorization(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}
