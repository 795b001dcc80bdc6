import type { ClientMetadata } from '@gatehouse/store';
import { ConfigError } from '../config/config-error.js';
import { validateConfig } from '../config/load.js';
import type { ClientConfig, GatehouseConfig } from '../config/schema.js';

export type ClientDocumentResult =
  | { ok: true; client: ClientConfig; metadata: ClientMetadata }
  | { ok: false; problems: { key: string; message: string }[] };

/**
 * Checks one client, written as a `clients[]` entry of gatehouse.yaml, against the running
 * configuration, with exactly the rules the config file gets (the closed schema, its defaults
 * and the semantic checks): a client added at run time can then do no more and no less than
 * the same client declared in the file. Problems are keyed by the client's own field
 * (`redirect_uris[0]`), not by its place in a file. On success, `metadata` is what the store
 * keeps, as `clientRecordFromConfig` makes it: everything but the id and the secret.
 */
export function checkClientDocument(document: unknown, config: GatehouseConfig): ClientDocumentResult {
  // The client is checked as one more client of the current configuration, so rules that
  // depend on the rest (resources' scopes, other client_ids, tls, device) see the real values.
  const index = config.clients.length;
  const prefix = `clients[${index}]`;
  try {
    const checked = validateConfig({ ...config, clients: [...config.clients, document] }, '(client)');
    const client = checked.clients[index]!;
    const { client_id: _id, client_secret: _secret, ...metadata } = client;
    return { ok: true, client, metadata: { ...metadata } };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems
      .filter((p) => p.key === prefix || p.key.startsWith(`${prefix}.`) || p.key.startsWith(`${prefix}[`))
      .map((p) => ({ key: p.key.slice(prefix.length).replace(/^\./, ''), message: p.message }));
    // Anything else would be a problem of the configuration itself, which was valid when loaded.
    return { ok: false, problems: problems.length > 0 ? problems : error.problems };
  }
}
