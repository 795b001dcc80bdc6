import { isIP } from 'node:net';
import { invalidClient } from '@gatehouse/core';
import type { ClientRecord } from '@gatehouse/store';
import type { IssuerContext } from '../context.js';
import { readCertificateFields, type SubjectAltNames } from '../tls/certificate-fields.js';
import type { PresentedCertificate } from '../tls/client-certificate.js';
import { matchesSubjectDn } from '../tls/subject-dn.js';
import { untrustedChainReason } from '../tls/trust-anchors.js';

/**
 * RFC 8705 §2.1, PKI mutual-TLS client authentication: the certificate chains to a trusted CA
 * and carries the one subject value the client registered (§2.1.2: "the client MUST register
 * ... exactly one of" the tls_client_auth_* parameters). Throws invalid_client otherwise.
 */
export function verifyTlsClientAuth(
  ctx: IssuerContext,
  client: ClientRecord,
  certificate: PresentedCertificate | undefined,
): void {
  if (!certificate) throw invalidClient('tls_client_auth without a client certificate');
  const untrusted = untrustedChainReason(
    certificate.x509,
    ctx.mtls?.clientCas ?? [],
    new Date(ctx.clock()),
    certificate.chainVerified,
  );
  if (untrusted) throw invalidClient(untrusted);
  let fields: ReturnType<typeof readCertificateFields>;
  try {
    fields = readCertificateFields(certificate.der);
  } catch (error) {
    throw invalidClient(`client certificate unreadable (${(error as Error).message})`);
  }
  const metadata = client.metadata;
  const expectation = registeredSubject(metadata);
  if (!expectation) throw invalidClient('client has no tls_client_auth_* metadata');
  let matches: boolean;
  try {
    matches =
      expectation.field === 'subject_dn'
        ? matchesSubjectDn(expectation.value, fields.subject)
        : matchesAltName(fields.subjectAltNames, expectation.field, expectation.value);
  } catch (error) {
    // Config clients are checked at start; a record stored otherwise may still be unreadable.
    throw invalidClient(
      `registered tls_client_auth_${expectation.field} unreadable (${(error as Error).message})`,
    );
  }
  if (!matches) {
    throw invalidClient(`client certificate does not match tls_client_auth_${expectation.field}`);
  }
}

type SubjectField = 'subject_dn' | 'san_dns' | 'san_uri' | 'san_ip' | 'san_email';

function registeredSubject(
  metadata: ClientRecord['metadata'],
): { field: SubjectField; value: string } | undefined {
  for (const field of ['subject_dn', 'san_dns', 'san_uri', 'san_ip', 'san_email'] as const) {
    const value = metadata[`tls_client_auth_${field}`];
    if (typeof value === 'string') return { field, value };
  }
  return undefined;
}

function matchesAltName(
  names: SubjectAltNames,
  field: Exclude<SubjectField, 'subject_dn'>,
  value: string,
): boolean {
  switch (field) {
    // DNS names are case-insensitive (RFC 4343); a wildcard entry matches only the same
    // wildcard string, never a name under it: the client registered one name.
    case 'san_dns':
      return names.dns.some((dns) => dns.toLowerCase() === value.toLowerCase());
    // URIs compare as strings (RFC 3986 §6.2.1), so one client cannot stand in for another
    // through an equivalent spelling.
    case 'san_uri':
      return names.uri.includes(value);
    case 'san_ip':
      return names.ip.includes(canonicalIp(value));
    // The local part is case-sensitive, the domain is not (RFC 5321 §2.4).
    case 'san_email':
      return names.email.some((email) => sameMailbox(email, value));
  }
}

function canonicalIp(value: string): string {
  return isIP(value) === 6 ? new URL(`http://[${value}]`).hostname.slice(1, -1) : value;
}

function sameMailbox(a: string, b: string): boolean {
  const at = (s: string) => s.lastIndexOf('@');
  return (
    a.slice(0, at(a)) === b.slice(0, at(b)) && a.slice(at(a)).toLowerCase() === b.slice(at(b)).toLowerCase()
  );
}
