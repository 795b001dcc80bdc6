// RFC 3986 §2.3: unreserved characters, which §6.2.2.2 says to decode when percent-encoded.
const UNRESERVED = /^[A-Za-z0-9._~-]$/;

/**
 * The comparable form of a DPoP `htu` or of the endpoint URL it must name, without query and
 * fragment (RFC 9449 §4.3 item 9: "ignoring any query and fragment parts"). §4.3: servers
 * "SHOULD employ syntax-based normalization (Section 6.2.2 of [RFC3986]) and scheme-based
 * normalization (Section 6.2.3 of [RFC3986])": the URL parser lowercases scheme and host, drops
 * the scheme's default port, removes dot segments and gives an empty path as "/" (§6.2.3);
 * percent-encodings of unreserved characters are decoded and the rest uppercased (§6.2.2.1,
 * §6.2.2.2). User information is not part of what a proof names and is dropped.
 *
 * @returns undefined for anything that is not an absolute http(s) URL.
 */
export function normalizeHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const path = url.pathname.replace(/%[0-9A-Fa-f]{2}/g, (encoded) => {
    const char = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
    return UNRESERVED.test(char) ? char : encoded.toUpperCase();
  });
  return `${url.protocol}//${url.host}${path}`;
}
