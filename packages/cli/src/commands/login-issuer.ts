import { configFile, loadCliConfig } from '../cli-config.js';
import { type CliIO, UsageError } from '../command.js';
import type { StoredLogin } from '../credentials/credentials-file.js';
import { parseIssuer } from '../device-client/issuer-connection.js';

export const ISSUER_OPTION_HELP = `      --issuer URL      the issuer (default: $GATEHOUSE_ISSUER, else the issuer of
                        ./gatehouse.yaml or --config FILE when there is one)
  -c, --config FILE     gatehouse.yaml to take the issuer from`;

/**
 * The issuer `gatehouse login` signs in at: --issuer, else $GATEHOUSE_ISSUER, else the issuer
 * of the local gatehouse.yaml (so `gatehouse login` beside `npm start` needs no flags).
 */
export function loginIssuer(
  flags: { issuer?: string | undefined; config?: string | undefined },
  io: CliIO,
  command: string,
): URL {
  const named = flags.issuer ?? io.env['GATEHOUSE_ISSUER'] ?? localIssuer(flags, io);
  if (named === undefined) {
    throw new UsageError('no issuer: pass --issuer URL or set GATEHOUSE_ISSUER', command);
  }
  const issuer = parseIssuer(named);
  if (typeof issuer === 'string') throw new UsageError(issuer, command);
  return issuer;
}

/**
 * The stored login a command acts on: the one at --issuer or $GATEHOUSE_ISSUER; else the only
 * one; else, of several, the one at the local gatehouse.yaml's issuer.
 */
export function storedLoginFor(
  logins: Record<string, StoredLogin>,
  flags: { issuer?: string | undefined; config?: string | undefined },
  io: CliIO,
  command: string,
): StoredLogin {
  const all = Object.values(logins);
  const named = flags.issuer ?? io.env['GATEHOUSE_ISSUER'];
  if (named !== undefined) {
    const wanted = loginIssuer({ issuer: named }, io, command);
    const found = all.find((login) => sameIssuer(login.issuer, wanted));
    if (!found) throw new Error(`not signed in at ${named}; run 'gatehouse login --issuer ${named}'`);
    return found;
  }
  if (all.length === 0) throw new Error("not signed in; run 'gatehouse login'");
  if (all.length === 1) return all[0]!;
  const local = localIssuer(flags, io);
  const found = local === undefined ? undefined : all.find((login) => sameIssuer(login.issuer, local));
  if (found) return found;
  throw new UsageError(
    `signed in at several issuers (${all.map((l) => l.issuer).join(', ')}); choose one with --issuer`,
    command,
  );
}

function sameIssuer(stored: string, wanted: URL | string): boolean {
  try {
    return new URL(stored).href === new URL(wanted).href;
  } catch {
    return false;
  }
}

function localIssuer(flags: { config?: string | undefined }, io: CliIO): string | undefined {
  const file = configFile(flags, io);
  if (file === undefined) return undefined;
  return loadCliConfig({ config: file }, io).issuer;
}
