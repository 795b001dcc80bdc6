import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrustedPeer, parseTrustedProxies, trustedProxyProblem } from './trusted-proxies.js';

describe('tls.trusted_proxies', () => {
  const list = parseTrustedProxies(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);

  it('trusts addresses inside the listed ranges and exact addresses, IPv4-mapped too', () => {
    for (const address of ['10.1.2.3', '192.0.2.7', '2001:db8::1', '::ffff:10.9.9.9']) {
      assert.equal(isTrustedPeer(list, address), true, address);
    }
  });

  it('trusts nothing else, nor an unknown address', () => {
    for (const address of ['11.0.0.1', '192.0.2.8', '2001:db9::1', '::1', 'not-an-ip', undefined]) {
      assert.equal(isTrustedPeer(list, address), false, String(address));
    }
  });

  it('names what is wrong with an entry', () => {
    assert.equal(trustedProxyProblem('10.0.0.0/8'), undefined);
    assert.equal(trustedProxyProblem('::1'), undefined);
    assert.match(trustedProxyProblem('proxy.example.com')!, /not an IP address or CIDR range/);
    assert.match(trustedProxyProblem('10.0.0.0/33')!, /0 to 32/);
    assert.match(trustedProxyProblem('2001:db8::/129')!, /0 to 128/);
    assert.match(trustedProxyProblem('10.0.0.0/8/1')!, /not an IP address/);
  });
});
