import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CSRF_COOKIE, csrfCookie, type HostCookie, readCookie, serializeHostCookie } from './csrf-cookie.js';

describe('__Host- cookies', () => {
  it('serializes the CSRF cookie as Secure, HttpOnly, SameSite=Lax, Path=/ without Domain', () => {
    assert.equal(
      serializeHostCookie(csrfCookie('abc_-1')),
      '__Host-gatehouse-csrf=abc_-1; Path=/; Secure; HttpOnly; SameSite=Lax',
    );
  });

  it('adds Max-Age when given, and Max-Age=0 deletes', () => {
    const cookie: HostCookie = { ...csrfCookie(''), sameSite: 'Strict', maxAge: 0 };
    assert.equal(
      serializeHostCookie(cookie),
      '__Host-gatehouse-csrf=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0',
    );
  });

  it('makes an insecure __Host- cookie a type error, and refuses it at run time too', () => {
    const base = csrfCookie('v');
    // @ts-expect-error secure can only be true
    const insecure: HostCookie = { ...base, secure: false };
    // @ts-expect-error no Domain attribute on a __Host- cookie
    const withDomain: HostCookie = { ...base, domain: 'example.com' };
    // @ts-expect-error Path must be /
    const withPath: HostCookie = { ...base, path: '/account' };
    // @ts-expect-error the name must carry the __Host- prefix
    const unprefixed: HostCookie = { ...base, name: 'session' };
    for (const cookie of [insecure, withDomain, withPath, unprefixed]) {
      assert.throws(() => serializeHostCookie(cookie), /must be Secure with Path=\/ and no Domain/);
    }
  });

  it('refuses values that would inject attributes', () => {
    assert.throws(() => serializeHostCookie(csrfCookie('a; Domain=evil')), /invalid value/);
  });

  it('reads one cookie from a Cookie header, refusing duplicates', () => {
    assert.equal(readCookie(`a=1; ${CSRF_COOKIE}=xyz; b=2`, CSRF_COOKIE), 'xyz');
    assert.equal(readCookie('a=1', CSRF_COOKIE), undefined);
    assert.equal(readCookie(undefined, CSRF_COOKIE), undefined);
    assert.equal(readCookie(`${CSRF_COOKIE}=1; ${CSRF_COOKIE}=2`, CSRF_COOKIE), undefined);
  });
});
