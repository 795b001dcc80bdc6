import { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type PresentedCertificate, parsePresentedCertificate } from './client-certificate.js';
import { certificateFromHeader } from './proxy-header.js';
import type { MtlsSettings } from './tls-settings.js';
import { isTrustedPeer } from './trusted-proxies.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client certificate of this request (RFC 8705), from the TLS handshake or a trusted proxy. */
    clientCertificate: PresentedCertificate | undefined;
  }
}

/**
 * Finds each request's client certificate before any handler runs:
 *
 * - from a trusted proxy (proxy mode on, peer address in `tls.trusted_proxies`): only its
 *   header counts, never the certificate of the proxy's own connection;
 * - from anyone else: the certificate of the TLS handshake, when the connection is TLS. A
 *   certificate header is ignored, and logged, since anybody can send one.
 */
export function registerClientCertificates(app: FastifyInstance, mtls: MtlsSettings | undefined): void {
  app.decorateRequest('clientCertificate', undefined);
  // Without a `tls` section there is neither a TLS listener nor a proxy to believe, so no
  // request can carry a certificate: the per-request hook would only cost every request.
  if (!mtls) return;
  const proxy = mtls.proxy;
  app.addHook('onRequest', (request, _reply, done) => {
    request.clientCertificate = readClientCertificate(request, proxy);
    done();
  });
}

function readClientCertificate(
  request: FastifyRequest,
  proxy: MtlsSettings['proxy'],
): PresentedCertificate | undefined {
  const socket = request.raw.socket;
  if (proxy) {
    const header = request.headers[proxy.header];
    if (isTrustedPeer(proxy.trusted, socket.remoteAddress)) {
      if (header === undefined || header === '') return undefined;
      const certificate = typeof header === 'string' ? certificateFromHeader(header) : undefined;
      if (!certificate)
        request.log.warn({ header: proxy.header }, 'a trusted proxy sent an unreadable client certificate');
      return certificate;
    }
    if (header !== undefined) {
      request.log.warn(
        { header: proxy.header, peer: socket.remoteAddress },
        'ignored a client certificate header from an address not in tls.trusted_proxies',
      );
    }
  }
  if (!(socket instanceof TLSSocket)) return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer?.raw) return undefined;
  // The listener's `ca` is tls.client_ca_file, so `authorized` means OpenSSL built a path from
  // the certificate, through any intermediates the client sent, to one of those anchors.
  return parsePresentedCertificate(peer.raw, 'tls', socket.authorized);
}
