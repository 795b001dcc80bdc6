import { parseArgs } from 'node:util';
import {
  keyStates,
  rotateSigningKeysOfAlgs,
  signingAlgsInUse,
  signingKeyRetention,
} from '@gatehouse/authorization-server';
import { epochSeconds, systemClock } from '@gatehouse/core';
import { cliSecrets, configOptions, formatTime, loadCliConfig, table, withStore } from '../cli-config.js';
import { CONFIG_OPTION_HELP, type Command, UsageError } from '../command.js';

export const keysCommand: Command = {
  name: 'keys',
  summary: 'list or rotate signing keys',
  help: `Usage: gatehouse keys list [options]
       gatehouse keys rotate [--immediately] [options]

list    shows every signing key and its state: next (published, not signing yet),
        signing, retired (still published so its tokens verify), expired. Each alg has
        its own signing key: tokens.signing_alg for access tokens, RS256 (the ID-token
        default) and each client's id_token_signed_response_alg.
rotate  adds a new key for every alg in use. It is published at once and starts signing
        after keys.publish_before_use seconds (default 3600), so every verifier has it
        first. Retired keys whose tokens have all expired are deleted.

Options:
${CONFIG_OPTION_HELP}
      --immediately     the new key signs at once (after a key compromise; verifiers with a
                        cached JWKS will reject new tokens until they refresh)
  -h, --help            show this help`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...configOptions, immediately: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const [action, ...rest] = positionals;
    if (values.help || action === undefined) {
      io.out(this.help);
      return action === undefined && !values.help ? 2 : 0;
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`, 'keys');
    const config = loadCliConfig(values, io);
    const retention = signingKeyRetention(config);
    const now = epochSeconds(systemClock);
    if (action === 'list') {
      return withStore(config, async (store) => {
        const records = await store.signingKeys.list();
        if (records.length === 0) {
          io.out('no signing keys yet: `gatehouse start` creates the first one');
          return 0;
        }
        const states = keyStates(records, now, retention);
        io.out(
          table([
            ['KID', 'ALG', 'STATE', 'CREATED', 'SIGNS FROM'],
            ...records.map((r) => [
              r.kid,
              r.alg,
              states.get(r.kid)!,
              formatTime(r.createdAt),
              formatTime(r.activatesAt),
            ]),
          ]),
        );
        return 0;
      });
    }
    if (action === 'rotate') {
      const secrets = cliSecrets(config, io);
      return withStore(config, async (store) => {
        const publishBeforeUse = values.immediately ? 0 : config.keys.publish_before_use;
        const results = await rotateSigningKeysOfAlgs(store.signingKeys, {
          algs: signingAlgsInUse(config),
          encryptionKey: secrets.keyEncryption,
          now,
          publishBeforeUse,
          retentionSeconds: retention,
        });
        for (const { added, removed } of results) {
          io.out(
            `added ${added.alg} key ${added.kid}; it is published now and signs from ${formatTime(added.activatesAt)}`,
          );
          if (removed.length > 0) io.out(`deleted expired ${added.alg} key(s): ${removed.join(', ')}`);
        }
        io.out('running servers pick it up within keys.reload_interval seconds');
        return 0;
      });
    }
    throw new UsageError(`unknown action '${action}' (expected list or rotate)`, 'keys');
  },
};
