// The few OAuth client operations the bench needs, done with plain fetch: discovery, a client_credentials
// token request, an introspection call. Used to check each scenario before it is measured.

/** HTTP Basic credentials per RFC 6749 §2.3.1: both parts form-urlencoded, then base64. */
export function basicAuth(id, secret) {
  const enc = (s) => new URLSearchParams([['', s]]).toString().slice(1);
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

export async function discover(issuer) {
  const url = `${issuer}/.well-known/oauth-authorization-server`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`discovery ${url}: HTTP ${res.status}`);
  const meta = await res.json();
  for (const key of ['token_endpoint', 'introspection_endpoint']) {
    if (typeof meta[key] !== 'string') throw new Error(`discovery ${url}: no ${key}`);
  }
  return meta;
}

/** Waits until discovery answers (a server may print its address a moment before it accepts requests). */
export async function waitForDiscovery(issuer, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await discover(issuer);
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export const FORM = 'application/x-www-form-urlencoded';

/** The request autocannon replays for a client_credentials scenario. */
export function tokenRequest(tokenEndpoint, client, resource, scope) {
  return {
    url: tokenEndpoint,
    method: 'POST',
    headers: { authorization: basicAuth(client.id, client.secret), 'content-type': FORM },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }).toString(),
  };
}

/** The request autocannon replays for the introspection scenario. */
export function introspectionRequest(introspectionEndpoint, rs, token) {
  return {
    url: introspectionEndpoint,
    method: 'POST',
    headers: { authorization: basicAuth(rs.id, rs.secret), 'content-type': FORM },
    body: new URLSearchParams({ token }).toString(),
  };
}

/** Sends a prepared request once and returns the parsed JSON body, failing on any non-2xx answer. */
export async function send(request) {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${request.method} ${request.url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${request.method} ${request.url}: not JSON: ${text.slice(0, 300)}`);
  }
}

/** Requests a token once and checks its shape; returns the access token. */
export async function checkToken(request, format) {
  const body = await send(request);
  const token = body.access_token;
  if (typeof token !== 'string' || !token) throw new Error(`no access_token in ${JSON.stringify(body)}`);
  const isJwt = token.split('.').length === 3;
  if (format === 'jwt' && !isJwt) throw new Error(`expected a JWT access token, got ${token.slice(0, 40)}…`);
  if (format === 'opaque' && isJwt) throw new Error('expected an opaque access token, got a JWT');
  if (format === 'jwt') {
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    if (header.alg !== 'ES256') throw new Error(`expected an ES256 JWT, got alg ${header.alg}`);
  }
  return token;
}

export async function checkActive(request) {
  const body = await send(request);
  if (body.active !== true) throw new Error(`introspection says inactive: ${JSON.stringify(body)}`);
  return body;
}
