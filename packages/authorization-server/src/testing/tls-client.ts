import { request } from 'node:https';
import type { TestCertificate } from './certificates.js';

export interface TlsRequestOptions {
  method?: 'GET' | 'POST';
  /** An x-www-form-urlencoded body. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** The client certificate to present in the handshake; none when absent. */
  client?: Pick<TestCertificate, 'cert' | 'key'>;
  /** PEM of the CA that issued the server's certificate. */
  ca: string;
}

export interface TlsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): Record<string, unknown>;
}

/**
 * One request over a fresh TLS connection (no pooling, so every request makes its own
 * handshake with exactly the certificate it names).
 */
export function tlsRequest(url: string, options: TlsRequestOptions): Promise<TlsResponse> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        agent: false,
        ca: options.ca,
        ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}),
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A Fetch API function over node:https with a client certificate, for libraries that take a
 * custom fetch (oauth4webapi's `customFetch`).
 */
export function tlsFetch(
  client: Pick<TestCertificate, 'cert' | 'key'>,
  ca: string,
): (
  url: string,
  init: { method?: string; headers?: ConstructorParameters<typeof Headers>[0]; body?: unknown },
) => Promise<Response> {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
      const req = request(
        url,
        { method: init.method ?? 'GET', agent: false, ca, cert: client.cert, key: client.key, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
                responseHeaders.append(name, v);
              }
            }
            resolve(
              new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: responseHeaders }),
            );
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(init.body === undefined || init.body === null ? undefined : String(init.body));
    });
}
