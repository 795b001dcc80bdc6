import {
  type AuthorizationServer,
  allowInsecureRequests,
  type Client,
  type CustomFetchOptions,
  customFetch,
  discoveryRequest,
  processDiscoveryResponse,
} from 'oauth4webapi';

/** How the CLI reaches an issuer: its metadata, this client, and the options for every request. */
export interface IssuerConnection {
  as: AuthorizationServer;
  client: Client;
  http: RequestOptions;
}

/** What every oauth4webapi request function accepts, whatever its method and body. */
export interface RequestOptions {
  signal: () => AbortSignal;
  [customFetch]?: (
    url: string,
    options: CustomFetchOptions<'GET' | 'POST', URLSearchParams | undefined>,
  ) => Promise<Response>;
  [allowInsecureRequests]?: boolean;
}

export interface ConnectOptions {
  /** Replaces the global fetch (tests). */
  fetch?: typeof fetch;
  /** Ends waiting for any request (Ctrl-C). */
  signal?: AbortSignal;
  /** Per request; a server that does not answer in time counts as a connection timeout. */
  timeoutMs?: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * JWS algorithms with public keys: what an ID token may be signed with when the issuer's
 * metadata does not say (never `none`, never an HMAC keyed with a secret this public client
 * does not have).
 */
const ASYMMETRIC_ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
  'Ed25519',
];

/** A usable issuer identifier, or a message saying what is wrong with it. */
export function parseIssuer(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `'${text}' is not a URL (expected e.g. https://id.example.com)`;
  }
  // RFC 8414 §2: "a URL that uses the "https" scheme and has no query or fragment components".
  if (url.search || url.hash) return `the issuer '${text}' must not have a query or fragment (RFC 8414 §2)`;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url)) return url;
  return `the issuer '${text}' must use https (plain http is accepted only for localhost, 127.0.0.1 and ::1)`;
}

/** Loopback traffic never leaves the machine, so plain http there is what local trials use. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname;
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/** Request options for one issuer: timeout and cancellation, and http only on loopback. */
export function httpOptions(issuer: URL, options: ConnectOptions): RequestOptions {
  const timeout = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  return {
    signal: () =>
      options.signal
        ? AbortSignal.any([options.signal, AbortSignal.timeout(timeout)])
        : AbortSignal.timeout(timeout),
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
    ...(issuer.protocol === 'http:' ? { [allowInsecureRequests]: true } : {}),
  };
}

/**
 * Reads the issuer's metadata: OpenID Connect Discovery first, then RFC 8414's
 * `/.well-known/oauth-authorization-server` for issuers that are plain OAuth servers. Both
 * checks that `issuer` in the document is the one asked for (RFC 8414 §3.3), which stops a
 * metadata document from steering the CLI to another issuer's endpoints.
 */
export async function discoverIssuer(
  issuer: URL,
  options: ConnectOptions = {},
): Promise<AuthorizationServer> {
  const http = httpOptions(issuer, options);
  const failures: string[] = [];
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    try {
      const response = await discoveryRequest(issuer, { ...http, algorithm });
      return await processDiscoveryResponse(issuer, response);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      failures.push(describeFailure(error));
    }
  }
  throw new Error(
    `could not read the metadata of ${issuer.href.replace(/\/$/, '')} (${[...new Set(failures)].join('; ')}); ` +
      'check the issuer URL, and that the server is running',
  );
}

/** The connection for `clientId` at a discovered issuer: a public client (RFC 6749 §2.1). */
export function connect(
  as: AuthorizationServer,
  clientId: string,
  options: ConnectOptions = {},
): IssuerConnection {
  const client: Client = { client_id: clientId };
  if (as.id_token_signing_alg_values_supported === undefined) {
    // OpenID Connect Discovery §3 makes the list REQUIRED, but plain OAuth metadata has no
    // such key. The ID token comes straight from the token endpoint over TLS, which OpenID
    // Connect Core §3.1.3.7 (6) accepts in place of checking its signature, so any asymmetric
    // alg will do; without this oauth4webapi would insist on RS256.
    (client as { id_token_signed_response_alg?: unknown }).id_token_signed_response_alg = ASYMMETRIC_ALGS;
  }
  return { as, client, http: httpOptions(new URL(as.issuer), options) };
}

/** One line for a failed request: the cause a person can act on, not a stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    if (cause instanceof Response) return `${error.message}: HTTP ${cause.status}`;
    if (cause instanceof Error && cause.message) return `${error.message}: ${cause.message}`;
    return error.message;
  }
  return String(error);
}
