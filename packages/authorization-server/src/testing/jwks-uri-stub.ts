/**
 * Client `jwks_uri` documents for tests. A jwks_uri must be https, and jose fetches it with the
 * global `fetch`, so the tests answer those URLs in place of the network: each URL serves what
 * its entry says now (a JWK Set, or an HTTP status for a broken endpoint); every other request
 * goes out as usual.
 */
export interface JwksUriStub {
  /** What `url` serves from now on: a JWK Set, or a bare status code. */
  serve(url: string, answer: { keys: Record<string, unknown>[] } | number): void;
  /** How many times `url` was fetched. */
  fetches(url: string): number;
  restore(): void;
}

export function stubJwksUris(): JwksUriStub {
  const original = globalThis.fetch;
  const answers = new Map<string, { keys: Record<string, unknown>[] } | number>();
  const counts = new Map<string, number>();
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const answer = answers.get(url);
    if (answer === undefined) return original(input, init);
    counts.set(url, (counts.get(url) ?? 0) + 1);
    if (typeof answer === 'number') return new Response('unavailable', { status: answer });
    return Response.json(answer);
  };
  return {
    serve: (url, answer) => void answers.set(url, answer),
    fetches: (url) => counts.get(url) ?? 0,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}
