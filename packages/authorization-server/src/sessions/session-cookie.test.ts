import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyedDigest } from '@gatehouse/core';
import { serializeHostCookie } from '../pages/csrf-cookie.js';
import {
  clearedSessionCookie,
  generateSessionSecret,
  isWellFormedSessionSecret,
  readSessionCookie,
  SESSION_COOKIE,
  sessionCookie,
  sessionIdOf,
} from './session-cookie.js';

const KEY = new Uint8Array(32).fill(7);

describe('session cookie', () => {
  it('is __Host-, Path=/, Secure, HttpOnly, SameSite=Lax and has no Max-Age', () => {
    const { cookieValue } = generateSessionSecret(KEY);
    assert.equal(
      serializeHostCookie(sessionCookie(cookieValue)),
      `__Host-gatehouse-session=${cookieValue}; Path=/; Secure; HttpOnly; SameSite=Lax`,
    );
  });

  it('is cleared with an empty value and Max-Age=0, same attributes', () => {
    assert.equal(
      serializeHostCookie(clearedSessionCookie()),
      '__Host-gatehouse-session=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0',
    );
  });

  it('carries 256 random bits and is stored under their keyed digest', () => {
    const first = generateSessionSecret(KEY);
    const second = generateSessionSecret(KEY);
    assert.equal(Buffer.from(first.cookieValue, 'base64url').length, 32);
    assert.notEqual(first.cookieValue, second.cookieValue);
    assert.equal(first.id, keyedDigest(KEY, first.cookieValue));
    assert.equal(sessionIdOf(KEY, first.cookieValue), first.id);
    assert.notEqual(first.id, first.cookieValue);
    assert.notEqual(sessionIdOf(new Uint8Array(32).fill(8), first.cookieValue), first.id);
  });

  it('recognises only values of the shape it issues', () => {
    assert.ok(isWellFormedSessionSecret(generateSessionSecret(KEY).cookieValue));
    assert.ok(!isWellFormedSessionSecret(''));
    assert.ok(!isWellFormedSessionSecret('short'));
    assert.ok(!isWellFormedSessionSecret(`${'a'.repeat(42)}=`));
  });

  it('is read from the Cookie header, and refused when sent twice', () => {
    assert.equal(readSessionCookie(`a=1; ${SESSION_COOKIE}=abc; b=2`), 'abc');
    assert.equal(readSessionCookie(undefined), undefined);
    assert.equal(readSessionCookie(`${SESSION_COOKIE}=abc; ${SESSION_COOKIE}=def`), undefined);
  });
});
