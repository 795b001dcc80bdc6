import type { Rdn } from './certificate-fields.js';

/**
 * Subject DN matching for `tls_client_auth_subject_dn` (RFC 8705 §2.1.2: "A string
 * representation of the expected subject distinguished name of the certificate, as defined in
 * [RFC4514]"). The registered string is parsed per RFC 4514 §3 (escapes, multi-valued RDNs,
 * keywords or dotted OIDs) and compared with the certificate's subject RDN by RDN, so spelling
 * differences that do not change the name do not matter:
 *
 * - attribute types by OID (`CN`, `cn` and `2.5.4.3` are one type);
 * - values with Unicode NFKC, leading and trailing spaces removed, inner runs of spaces folded
 *   to one and case ignored: the effect of the caseIgnoreMatch rule the X.520 naming
 *   attributes use (RFC 4517 §4.2.11 with the RFC 4518 insignificant-space handling);
 * - the attributes of a multi-valued RDN in any order.
 *
 * RDN order is significant. RFC 4514 writes the last RDN of the certificate first, so
 * `CN=client,O=Example,C=SE` matches a certificate whose subject reads C, O, CN.
 */
export function matchesSubjectDn(registered: string, subject: Rdn[]): boolean {
  const expected = parseDistinguishedName(registered);
  if (expected.length !== subject.length) return false;
  return subject.every((rdn, i) => rdnKey(rdn) === rdnKey(expected[i]!));
}

/** Parses an RFC 4514 string into RDNs in certificate order; throws a readable Error when invalid. */
export function parseDistinguishedName(text: string): Rdn[] {
  const rdns: Rdn[] = [];
  let rdn: Rdn = [];
  let i = 0;
  const skipSpaces = () => {
    while (text[i] === ' ') i++;
  };
  if (text.trim() === '') throw new Error('the distinguished name is empty');
  while (i <= text.length) {
    skipSpaces();
    const typeStart = i;
    while (i < text.length && text[i] !== '=') i++;
    if (i >= text.length) throw new Error(`'${text.slice(typeStart)}' has no '='`);
    const oid = attributeOid(text.slice(typeStart, i).trim());
    i++; // '='
    skipSpaces();
    const { value, next } = readValue(text, i);
    i = next;
    rdn.push({ oid, value });
    if (i >= text.length) break;
    const separator = text[i];
    i++;
    if (separator === ',' || separator === ';') {
      rdns.push(rdn);
      rdn = [];
    } else if (separator !== '+') {
      throw new Error(`unexpected '${separator}' at position ${i}`);
    }
  }
  rdns.push(rdn);
  return rdns.reverse();
}

// RFC 4514 §3 keywords, plus the ones certificates commonly carry (RFC 5280 §4.1.2.4).
const KEYWORDS: Record<string, string> = {
  cn: '2.5.4.3',
  sn: '2.5.4.4',
  serialnumber: '2.5.4.5',
  c: '2.5.4.6',
  l: '2.5.4.7',
  st: '2.5.4.8',
  street: '2.5.4.9',
  o: '2.5.4.10',
  ou: '2.5.4.11',
  title: '2.5.4.12',
  postalcode: '2.5.4.17',
  givenname: '2.5.4.42',
  organizationidentifier: '2.5.4.97',
  dc: '0.9.2342.19200300.100.1.25',
  uid: '0.9.2342.19200300.100.1.1',
  emailaddress: '1.2.840.113549.1.9.1',
  e: '1.2.840.113549.1.9.1',
};

function attributeOid(type: string): string {
  const numeric = type.replace(/^oid\./i, '');
  if (/^\d+(\.\d+)+$/.test(numeric)) return numeric;
  const oid = KEYWORDS[type.toLowerCase()];
  if (!oid) throw new Error(`unknown attribute type '${type}' (use a dotted OID)`);
  return oid;
}

const SPECIAL = new Set(['"', '+', ',', ';', '<', '>', '\\', ' ', '#', '=']);

/** RFC 4514 §3 attributeValue: `#hex` or a string with `\` escapes; ends at an unescaped , ; or +. */
function readValue(text: string, start: number): { value: string; next: number } {
  let i = start;
  if (text[i] === '#') {
    while (i < text.length && !',;+'.includes(text[i]!)) i++;
    const hex = text.slice(start + 1, i).trim();
    if (!/^([0-9a-f]{2})+$/i.test(hex))
      throw new Error(`'${text.slice(start, i)}' is not a valid #hex value`);
    return { value: `#${hex.toLowerCase()}`, next: i };
  }
  const bytes: number[] = [];
  const push = (s: string) => bytes.push(...Buffer.from(s, 'utf8'));
  while (i < text.length && !',;+'.includes(text[i]!)) {
    const ch = text[i]!;
    if (ch === '\\') {
      const pair = text.slice(i + 1, i + 3);
      if (/^[0-9a-f]{2}$/i.test(pair)) {
        bytes.push(Number.parseInt(pair, 16));
        i += 3;
        continue;
      }
      const escaped = text[i + 1];
      if (escaped === undefined || !SPECIAL.has(escaped)) throw new Error(`bad escape at position ${i + 1}`);
      push(escaped);
      i += 2;
      continue;
    }
    const codePoint = text.codePointAt(i)!;
    push(String.fromCodePoint(codePoint));
    i += codePoint > 0xffff ? 2 : 1;
  }
  return { value: Buffer.from(bytes).toString('utf8'), next: i };
}

function normaliseValue(value: string): string {
  if (value.startsWith('#')) return value.toLowerCase();
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function rdnKey(rdn: Rdn): string {
  return rdn
    .map((attribute) => JSON.stringify([attribute.oid, normaliseValue(attribute.value)]))
    .sort()
    .join('+');
}
