import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accountThrottleKey,
  addressThrottleKey,
  isBeyondAllowance,
  lockedUntil,
  type ThrottleRule,
  throttleDelay,
} from './login-throttle.js';

const rule: ThrottleRule = { freeFailures: 5, baseDelay: 1, maxDelay: 900, forgetAfter: 3600 };
const T0 = 1_767_225_600;
const record = (failures: number, lastFailureAt = T0) => ({
  key: 'k',
  failures,
  firstFailureAt: T0 - 100,
  lastFailureAt,
  expiresAt: lastFailureAt + 3600,
});

describe('throttleDelay', () => {
  it('asks for no wait within the allowance', () => {
    for (const failures of [0, 1, 4]) assert.equal(throttleDelay(failures, rule), 0);
  });

  it('doubles the wait with each failure beyond it', () => {
    assert.deepEqual(
      [5, 6, 7, 8, 9, 14].map((n) => throttleDelay(n, rule)),
      [1, 2, 4, 8, 16, 512],
    );
  });

  it('never waits longer than maxDelay, however many failures', () => {
    assert.equal(throttleDelay(15, rule), 900);
    assert.equal(throttleDelay(1_000_000, rule), 900);
  });

  it('scales with baseDelay', () => {
    assert.equal(throttleDelay(6, { ...rule, baseDelay: 30 }), 60);
  });
});

describe('lockedUntil', () => {
  it('is undefined without a record or within the allowance', () => {
    assert.equal(lockedUntil(undefined, rule, T0), undefined);
    assert.equal(lockedUntil(record(4), rule, T0), undefined);
  });

  it('counts the wait from the last failure', () => {
    assert.equal(lockedUntil(record(7, T0), rule, T0), T0 + 4);
    assert.equal(lockedUntil(record(7, T0), rule, T0 + 3), T0 + 4);
  });

  it('is undefined once the wait has run out', () => {
    assert.equal(lockedUntil(record(7, T0), rule, T0 + 4), undefined);
  });
});

describe('isBeyondAllowance', () => {
  it('is true from freeFailures failures on', () => {
    assert.equal(isBeyondAllowance(undefined, rule), false);
    assert.equal(isBeyondAllowance(record(4), rule), false);
    assert.equal(isBeyondAllowance(record(5), rule), true);
  });
});

describe('accountThrottleKey', () => {
  it('is the normalized username, so any spelling counts against one key', () => {
    assert.equal(accountThrottleKey('Alice'), 'account:alice');
    assert.equal(accountThrottleKey('ＡＬＩＣＥ'), 'account:alice');
  });
});

describe('addressThrottleKey', () => {
  it('keeps an IPv4 address as it is', () => {
    assert.equal(addressThrottleKey('203.0.113.7'), 'address:203.0.113.7');
  });

  it('throttles an IPv6 address as its /64', () => {
    assert.equal(addressThrottleKey('2001:db8:1:2:3:4:5:6'), 'address:2001:db8:1:2::/64');
    assert.equal(addressThrottleKey('2001:db8:1:2::ffff'), 'address:2001:db8:1:2::/64');
    assert.equal(addressThrottleKey('2001:DB8:0001:0002:aaaa::'), 'address:2001:db8:1:2::/64');
    assert.equal(addressThrottleKey('2001:db8::1'), 'address:2001:db8:0:0::/64');
    assert.equal(addressThrottleKey('::1'), 'address:0:0:0:0::/64');
    assert.equal(addressThrottleKey('fe80::1%eth0'), 'address:fe80:0:0:0::/64');
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address', () => {
    assert.equal(addressThrottleKey('::ffff:203.0.113.7'), 'address:203.0.113.7');
    assert.equal(addressThrottleKey('::ffff:cb00:7107'), 'address:203.0.113.7');
  });

  it('keeps anything else as given', () => {
    assert.equal(addressThrottleKey('unknown'), 'address:unknown');
  });
});
