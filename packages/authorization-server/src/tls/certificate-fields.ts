/**
 * Reads the two parts of an X.509 certificate (RFC 5280 §4.1) that `tls_client_auth` matches
 * on: the subject Name, as a list of RDNs with their attribute OIDs and decoded values, and
 * the subjectAltName entries. Node's `X509Certificate` renders both only as display strings,
 * whose escaping is not a stable contract, so they are read from the DER here.
 */

export interface NameAttribute {
  /** Dotted OID of the attribute type, e.g. 2.5.4.3 for CN. */
  oid: string;
  value: string;
}

/** One relative distinguished name: one attribute, or several for a multi-valued RDN. */
export type Rdn = NameAttribute[];

export interface SubjectAltNames {
  dns: string[];
  uri: string[];
  /** Canonical text form: dotted quad, or RFC 5952 IPv6. */
  ip: string[];
  email: string[];
}

export interface CertificateFields {
  /** RDNs in certificate order (the most significant, e.g. C, first). */
  subject: Rdn[];
  subjectAltNames: SubjectAltNames;
}

interface Element {
  tag: number;
  /** Offset of the tag byte. */
  offset: number;
  /** Offset of the content within the buffer. */
  start: number;
  end: number;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;
const OCTET_STRING = 0x04;
const SUBJECT_ALT_NAME = '2.5.29.17';

/** Throws when the DER is not a certificate; callers treat that as "no usable certificate". */
export function readCertificateFields(der: Uint8Array): CertificateFields {
  const buf = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const certificate = expect(readElement(buf, 0), SEQUENCE);
  const tbs = expect(readElement(buf, certificate.start), SEQUENCE);
  let fields = children(buf, tbs);
  // version [0] EXPLICIT is optional (absent means v1).
  if (fields[0]?.tag === 0xa0) fields = fields.slice(1);
  // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, then optional parts.
  const subjectElement = fields[4];
  if (!subjectElement) throw new Error('certificate has no subject');
  const subject = readName(buf, expect(subjectElement, SEQUENCE));
  const subjectAltNames: SubjectAltNames = { dns: [], uri: [], ip: [], email: [] };
  const extensions = fields.slice(6).find((element) => element.tag === 0xa3);
  if (extensions) {
    for (const extension of children(buf, expect(children(buf, extensions)[0], SEQUENCE))) {
      const parts = children(buf, expect(extension, SEQUENCE));
      if (readOid(buf, expect(parts[0], OID)) !== SUBJECT_ALT_NAME) continue;
      const value = expect(parts[parts.length - 1], OCTET_STRING);
      readAltNames(buf, expect(readElement(buf, value.start), SEQUENCE), subjectAltNames);
    }
  }
  return { subject, subjectAltNames };
}

function readName(buf: Buffer, name: Element): Rdn[] {
  return children(buf, name).map((rdn) =>
    children(buf, expect(rdn, SET)).map((attribute) => {
      const [type, value] = children(buf, expect(attribute, SEQUENCE));
      return { oid: readOid(buf, expect(type, OID)), value: readDirectoryString(buf, value) };
    }),
  );
}

// RFC 5280 §4.2.1.6 GeneralName: [1] rfc822Name, [2] dNSName, [6] URI, [7] iPAddress (all
// IMPLICIT, so primitive context tags); the other forms are not used by RFC 8705.
function readAltNames(buf: Buffer, names: Element, into: SubjectAltNames): void {
  for (const name of children(buf, names)) {
    const bytes = buf.subarray(name.start, name.end);
    switch (name.tag) {
      case 0x81:
        into.email.push(bytes.toString('latin1'));
        break;
      case 0x82:
        into.dns.push(bytes.toString('latin1'));
        break;
      case 0x86:
        into.uri.push(bytes.toString('latin1'));
        break;
      case 0x87: {
        const ip = ipFromBytes(bytes);
        if (ip !== undefined) into.ip.push(ip);
        break;
      }
    }
  }
}

function ipFromBytes(bytes: Buffer): string | undefined {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) return undefined;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // The WHATWG URL parser writes IPv6 in the RFC 5952 canonical form.
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

function readDirectoryString(buf: Buffer, element: Element | undefined): string {
  if (!element) throw new Error('attribute without a value');
  const bytes = buf.subarray(element.start, element.end);
  switch (element.tag) {
    case 0x0c: // UTF8String
      return bytes.toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString, read as Latin-1 as most software does
      return bytes.toString('latin1');
    case 0x1e: // BMPString: UTF-16BE
      return Buffer.from(bytes).swap16().toString('utf16le');
    case 0x1c: {
      // UniversalString: UTF-32BE
      let text = '';
      for (let i = 0; i + 4 <= bytes.length; i += 4) text += String.fromCodePoint(bytes.readUInt32BE(i));
      return text;
    }
    default:
      // Not a string: keep the RFC 4514 §2.4 hex form so it can only match itself.
      return `#${buf.subarray(element.offset, element.end).toString('hex')}`;
  }
}

function readOid(buf: Buffer, element: Element): string {
  const bytes = buf.subarray(element.start, element.end);
  if (bytes.length === 0) throw new Error('empty OID');
  const first = bytes[0]!;
  const arcs = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

function children(buf: Buffer, parent: Element | undefined): Element[] {
  if (!parent) throw new Error('missing element');
  const list: Element[] = [];
  let offset = parent.start;
  while (offset < parent.end) {
    const element = readElement(buf, offset);
    if (element.end > parent.end) throw new Error('element overruns its parent');
    list.push(element);
    offset = element.end;
  }
  return list;
}

/** DER only: single-byte tags, definite lengths. */
function readElement(buf: Buffer, offset: number): Element {
  if (offset + 2 > buf.length) throw new Error('truncated DER');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte tags are not used in certificates');
  let length = buf[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > buf.length) throw new Error('bad DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > buf.length) throw new Error('truncated DER');
  return { tag, offset, start, end };
}

function expect(element: Element | undefined, tag: number): Element {
  if (!element || element.tag !== tag) throw new Error(`expected DER tag 0x${tag.toString(16)}`);
  return element;
}
