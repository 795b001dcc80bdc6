import { BlockList, isIP } from 'node:net';

/** The addresses `tls.trusted_proxies` names, as one list to check a peer address against. */
export function parseTrustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const problem = trustedProxyProblem(entry);
    if (problem) throw new Error(`${entry}: ${problem}`);
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/** Why an entry is not an IP address or CIDR range, or undefined when it is one. */
export function trustedProxyProblem(entry: string): string | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return 'not an IP address or CIDR range such as 10.0.0.0/8';
  if (prefix !== undefined) {
    const max = version === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `the prefix length must be 0 to ${max}`;
  }
  return undefined;
}

/** Whether the direct peer of a connection is a trusted proxy. */
export function isTrustedPeer(list: BlockList, remoteAddress: string | undefined): boolean {
  if (remoteAddress === undefined) return false;
  // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6 (::ffff:10.0.0.1).
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  const address = mapped ? mapped[1]! : remoteAddress;
  const version = isIP(address);
  if (version === 0) return false;
  return list.check(address, version === 6 ? 'ipv6' : 'ipv4');
}
