import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BlockList } from 'node:net';
import { createSecureContext, type SecureContextOptions, type TlsOptions } from 'node:tls';
import { ConfigError } from '../config/config-error.js';
import type { GatehouseConfig, TlsConfig } from '../config/schema.js';
import { parseTrustAnchors } from './trust-anchors.js';
import { parseTrustedProxies } from './trusted-proxies.js';

/** What request handling needs to know about mutual TLS (RFC 8705), read once at start. */
export interface MtlsSettings {
  /** Trust anchors for tls_client_auth (`tls.client_ca_file`); empty without one. */
  clientCas: readonly X509Certificate[];
  /** Proxy mode: the header a trusted TLS-terminating proxy forwards the certificate in. */
  proxy: { header: string; trusted: BlockList } | undefined;
  /** Base URL of the mutual-TLS endpoints (RFC 8705 §5 aliases); undefined: none advertised. */
  baseUrl: string | undefined;
}

export interface TlsSetup {
  settings: MtlsSettings;
  /** Options of Gatehouse's own HTTPS listener, when the config asks for one. */
  listener: (TlsOptions & SecureContextOptions) | undefined;
}

/**
 * Reads the files `tls` names and turns the section into settings. A file that cannot be read
 * or parsed is a ConfigError naming its key, so a bad path stops the start, not a request.
 */
export function loadTlsSetup(config: GatehouseConfig): TlsSetup | undefined {
  const tls = config.tls;
  if (!tls) return undefined;
  const problems: { key: string; message: string }[] = [];
  const read = (key: keyof TlsConfig, file: string | undefined): string | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      problems.push({
        key: `tls.${key}`,
        message: `cannot read ${file} (${(error as NodeJS.ErrnoException).code})`,
      });
      return undefined;
    }
  };
  const cert = read('cert_file', tls.cert_file);
  const key = read('key_file', tls.key_file);
  const caPem = read('client_ca_file', tls.client_ca_file);
  let clientCas: X509Certificate[] = [];
  if (caPem !== undefined) {
    try {
      clientCas = parseTrustAnchors(caPem);
    } catch (error) {
      problems.push({ key: 'tls.client_ca_file', message: (error as Error).message });
    }
  }
  if (cert !== undefined && key !== undefined) {
    try {
      // What the HTTPS server would do at its first handshake, done now so a key that does
      // not belong to the certificate stops the start with the key named.
      createSecureContext({ cert, key });
    } catch (error) {
      problems.push({
        key: 'tls.key_file',
        message: `cannot be used with tls.cert_file (${(error as Error).message})`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, 'tls');

  const listener =
    cert !== undefined && key !== undefined
      ? {
          cert,
          key,
          ...(caPem !== undefined ? { ca: caPem } : {}),
          // RFC 8705 §2.2 and §3: the server asks every client for a certificate but decides
          // per client what a certificate (or none) means, so self-signed certificates and
          // clients that authenticate otherwise still get through the handshake.
          requestCert: true,
          rejectUnauthorized: false,
          minVersion: 'TLSv1.2' as const,
        }
      : undefined;
  const settings: MtlsSettings = {
    clientCas,
    proxy:
      tls.client_cert_header === undefined
        ? undefined
        : { header: tls.client_cert_header, trusted: parseTrustedProxies(tls.trusted_proxies) },
    baseUrl: tls.mtls_base_url ?? (listener ? defaultBaseUrl(config.issuer, tls.port) : undefined),
  };
  return { settings, listener };
}

/** The issuer's host and path on the listener's port, over https. */
function defaultBaseUrl(issuer: string, port: number): string {
  const url = new URL(issuer);
  url.protocol = 'https:';
  url.port = String(port);
  return `${url.origin}${url.pathname.replace(/\/$/, '')}`;
}
