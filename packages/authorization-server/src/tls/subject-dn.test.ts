import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rdn } from './certificate-fields.js';
import { matchesSubjectDn, parseDistinguishedName } from './subject-dn.js';

const CN = '2.5.4.3';
const O = '2.5.4.10';
const OU = '2.5.4.11';
const C = '2.5.4.6';
const DC = '0.9.2342.19200300.100.1.25';

// A certificate subject in certificate order: C, O, OU, CN.
const subject: Rdn[] = [
  [{ oid: C, value: 'SE' }],
  [{ oid: O, value: 'Example, Inc.' }],
  [{ oid: OU, value: 'Billing  Team' }],
  [{ oid: CN, value: 'billing' }],
];

describe('tls_client_auth_subject_dn matching (RFC 4514)', () => {
  it('matches the RFC 4514 string, whose first RDN is the last of the certificate', () => {
    assert.equal(matchesSubjectDn('CN=billing,OU=Billing  Team,O=Example\\, Inc.,C=SE', subject), true);
  });

  it('ignores the case of types and values, spaces around separators and runs of inner spaces', () => {
    assert.equal(matchesSubjectDn('cn=BILLING, ou=billing team , o=example\\, inc., c=se', subject), true);
  });

  it('accepts dotted OIDs (with or without the oid. prefix) for attribute types', () => {
    assert.equal(
      matchesSubjectDn('2.5.4.3=billing,OID.2.5.4.11=Billing Team,O=Example\\, Inc.,C=SE', subject),
      true,
    );
  });

  it('decodes \\XX escapes as UTF-8 bytes', () => {
    const unicode: Rdn[] = [[{ oid: CN, value: 'Lučić' }]];
    assert.equal(matchesSubjectDn('CN=Lu\\C4\\8Di\\C4\\87', unicode), true);
    assert.equal(matchesSubjectDn('CN=Lučić', unicode), true);
  });

  it('keeps RDN order significant', () => {
    assert.equal(matchesSubjectDn('C=SE,O=Example\\, Inc.,OU=Billing Team,CN=billing', subject), false);
  });

  it('needs every RDN: neither a prefix nor a longer name matches', () => {
    assert.equal(matchesSubjectDn('CN=billing', subject), false);
    assert.equal(
      matchesSubjectDn('CN=billing,OU=Billing Team,O=Example\\, Inc.,C=SE,DC=example', subject),
      false,
    );
  });

  it('compares values exactly otherwise', () => {
    assert.equal(matchesSubjectDn('CN=billing2,OU=Billing Team,O=Example\\, Inc.,C=SE', subject), false);
    assert.equal(matchesSubjectDn('CN=billing,OU=Billing Team,O=Example Inc.,C=SE', subject), false);
  });

  it('matches a multi-valued RDN in any attribute order, but not split into two RDNs', () => {
    const multi: Rdn[] = [
      [{ oid: DC, value: 'example' }],
      [
        { oid: CN, value: 'a' },
        { oid: OU, value: 'b' },
      ],
    ];
    assert.equal(matchesSubjectDn('OU=b+CN=a,DC=example', multi), true);
    assert.equal(matchesSubjectDn('CN=a+OU=b,DC=example', multi), true);
    assert.equal(matchesSubjectDn('CN=a,OU=b,DC=example', multi), false);
  });

  it('parses escaped specials, and a value may contain =', () => {
    assert.deepEqual(parseDistinguishedName('CN=a\\+b\\;c\\"d\\\\e=f'), [
      [{ oid: CN, value: 'a+b;c"d\\e=f' }],
    ]);
  });

  it('rejects what is not a distinguished name, with the reason', () => {
    assert.throws(() => parseDistinguishedName(''), /empty/);
    assert.throws(() => parseDistinguishedName('billing'), /has no '='/);
    assert.throws(() => parseDistinguishedName('XYZ=billing'), /unknown attribute type 'XYZ'/);
    assert.throws(() => parseDistinguishedName('CN=a\\qb'), /bad escape/);
    assert.throws(() => parseDistinguishedName('CN=a,'), /has no '='/);
    assert.throws(() => parseDistinguishedName('CN=#zz'), /not a valid #hex value/);
  });
});
