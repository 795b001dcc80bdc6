import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The folder `gatehouse login` keeps its credentials in: the platform's per-user config
 * directory (XDG Base Directory on Linux and other Unixes, Application Support on macOS,
 * %APPDATA% on Windows). `GATEHOUSE_CLI_HOME` overrides it, for tests and for people who keep
 * several identities apart.
 */
export function cliHomeDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env['GATEHOUSE_CLI_HOME'];
  if (override) return override;
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), 'gatehouse');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'gatehouse');
  // XDG Base Directory: "If $XDG_CONFIG_HOME is either not set or empty, a default equal to
  // $HOME/.config should be used"; a relative value is invalid and must be ignored.
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg?.startsWith('/') ? xdg : join(home, '.config'), 'gatehouse');
}
