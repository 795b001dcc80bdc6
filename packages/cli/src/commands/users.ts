import { parseArgs } from 'node:util';
import {
  AccountInputError,
  addUser,
  assertUserFields,
  type DeliverLogoutToken,
  type GatehouseConfig,
  type LogoutDeliveryOutcome,
  type NewUser,
  openStandaloneBackchannelLogout,
  type SessionEndedListener,
  setUserStatus,
} from '@gatehouse/authorization-server';
import { epochSeconds, systemClock } from '@gatehouse/core';
import { DuplicateUserError, type Store, type UserRecord, type UserStatus } from '@gatehouse/store';
import { cliSecrets, configOptions, formatTime, loadCliConfig, table, withStore } from '../cli-config.js';
import { type CliIO, CONFIG_OPTION_HELP, type Command, UsageError } from '../command.js';
import { type PasswordInput, passwordFromStdin, processPasswordInput } from '../password-input.js';

const ADD_HELP = `Usage: gatehouse users add USERNAME [--email E] [--name N] [--role R ...] [--group G ...]

Adds a person who can sign in. The password is asked for twice on the terminal (nothing is
shown while typing), or read from standard input with --password-stdin; it is never taken
as an argument. It is stored only as an argon2id hash.

Options:
${CONFIG_OPTION_HELP}
      --email E         email address (unique regardless of case)
      --email-verified  the email is known to be theirs (the email_verified claim)
      --name N          full name
      --role R          a role; repeat for more
      --group G         a group; repeat for more
      --password-stdin  read the password from standard input (one line)
      --json            print the new user as JSON
  -h, --help            show this help

Example:
  gatehouse users add alice --email alice@example.com --name "Alice Liddell" --role admin
  printf '%s\\n' "$PASSWORD" | gatehouse users add ci-bot --password-stdin`;

const LIST_HELP = `Usage: gatehouse users list [--json]

Shows every user: id (the 'sub' of their tokens), status, where they come from (config
file or admin), email, roles and groups. Never shows password hashes.

Options:
${CONFIG_OPTION_HELP}
      --json            machine-readable output
  -h, --help            show this help`;

const statusHelp = (action: 'disable' | 'enable') => `Usage: gatehouse users ${action} USERNAME

${
  action === 'disable'
    ? 'Stops a user from signing in. The user and their id are kept; enable undoes it. Their\n' +
      'sessions end, the tokens issued through them are revoked (offline access excepted), and\n' +
      'every app they were signed in to that registered a backchannel_logout_uri is told so\n' +
      '(OpenID Connect Back-Channel Logout; this needs the master key the server uses).'
    : 'Lets a disabled user sign in again.'
} Users from the
config file follow 'disabled:' there instead.

Options:
${CONFIG_OPTION_HELP}
  -h, --help            show this help`;

const HELP = `Usage: gatehouse users add USERNAME [--email E] [--name N] [--role R ...] [--group G ...]
       gatehouse users list [--json]
       gatehouse users disable USERNAME
       gatehouse users enable USERNAME

add      adds a person who can sign in; asks for the password (or --password-stdin)
list     shows every user and where they come from (config file or admin)
disable  stops a user from signing in; the user and their id are kept
enable   lets a disabled user sign in again

Run 'gatehouse users <action> --help' for an action's options.`;

const ACTION_HELP: Record<string, string> = {
  add: ADD_HELP,
  list: LIST_HELP,
  disable: statusHelp('disable'),
  enable: statusHelp('enable'),
};

export interface UsersCommandOptions {
  /** Where `add` reads the password; the process's stdin unless a test gives another. */
  passwordInput?: () => PasswordInput;
  /** How `disable` sends Back-Channel Logout tokens; an HTTP POST unless a test gives another. */
  deliverLogoutToken?: DeliverLogoutToken;
}

export function createUsersCommand(options: UsersCommandOptions = {}): Command {
  const passwordInput = options.passwordInput ?? processPasswordInput;
  return {
    name: 'users',
    summary: 'add, list, disable or enable the people who sign in',
    help: HELP,
    async run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        options: {
          ...configOptions,
          email: { type: 'string' },
          'email-verified': { type: 'boolean' },
          name: { type: 'string' },
          role: { type: 'string', multiple: true },
          group: { type: 'string', multiple: true },
          'password-stdin': { type: 'boolean' },
          // Declared only to refuse it with a reason rather than as an unknown option.
          password: { type: 'string' },
          json: { type: 'boolean' },
        },
        allowPositionals: true,
        strict: true,
      });
      const [action, username, ...rest] = positionals;
      if (action === undefined || (values.help && !(action in ACTION_HELP))) {
        io.out(HELP);
        return values.help ? 0 : 2;
      }
      const actionHelp = ACTION_HELP[action];
      if (actionHelp === undefined) {
        throw new UsageError(`unknown action '${action}' (expected add, list, disable or enable)`, 'users');
      }
      if (values.help) {
        io.out(actionHelp);
        return 0;
      }
      if (values.password !== undefined) {
        throw new UsageError(
          'a password is never taken as an argument (shell history and process lists would keep it); ' +
            'type it at the prompt or use --password-stdin',
          'users',
        );
      }
      if (action === 'list') {
        if (username !== undefined) throw new UsageError(`unexpected argument '${username}'`, 'users');
        return withStore(loadCliConfig(values, io), (store) => listUsers(store, io, values.json === true));
      }
      if (username === undefined) throw new UsageError(`'users ${action}' needs a USERNAME`, 'users');
      if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`, 'users');
      const config = loadCliConfig(values, io);
      if (action === 'disable') {
        return withStore(config, (store) =>
          disableUser(config, store, io, username, options.deliverLogoutToken),
        );
      }
      if (action === 'enable')
        return withStore(config, (store) => changeStatus(store, io, username, 'active'));

      const fields: Omit<NewUser, 'password'> = {
        username,
        email: values.email,
        emailVerified: values['email-verified'],
        name: values.name,
        roles: values.role,
        groups: values.group,
      };
      try {
        assertUserFields(fields);
      } catch (error) {
        if (error instanceof AccountInputError) throw new UsageError(error.message, 'users');
        throw error;
      }
      return withStore(config, async (store) => {
        const taken = await takenMessage(store, fields);
        if (taken) {
          io.err(taken);
          return 1;
        }
        const password = await readNewPassword(passwordInput(), values['password-stdin'] === true, username);
        try {
          const policy = { minLength: config.accounts.password_min_length };
          const user = await addUser(store, { ...fields, password }, policy, epochSeconds(systemClock));
          io.out(
            values.json
              ? JSON.stringify(publicFields(user), null, 2)
              : `added user '${user.username}' (id ${user.id})`,
          );
          return 0;
        } catch (error) {
          if (error instanceof AccountInputError || error instanceof DuplicateUserError) {
            io.err(error instanceof DuplicateUserError ? duplicateMessage(error, fields) : error.message);
            return 1;
          }
          throw error;
        }
      });
    },
  };
}

export const usersCommand: Command = createUsersCommand();

async function listUsers(store: Store, io: CliIO, json: boolean): Promise<number> {
  const users = await store.users.list();
  if (json) {
    io.out(JSON.stringify(users.map(publicFields), null, 2));
  } else if (users.length === 0) {
    io.out('no users yet; add one with: gatehouse users add USERNAME');
  } else {
    io.out(
      table([
        ['USERNAME', 'ID', 'STATUS', 'SOURCE', 'EMAIL', 'ROLES', 'GROUPS', 'CREATED'],
        ...users.map((u) => [
          u.username,
          u.id,
          u.status,
          u.source,
          u.email ?? '',
          u.roles.join(','),
          u.groups.join(','),
          formatTime(u.createdAt),
        ]),
      ]),
    );
  }
  return 0;
}

/**
 * Disables the user and signs them out of their apps: the sessions it ends are announced to
 * their clients by Back-Channel Logout from this process, as the server would. Only when the
 * user has a session is the master key needed; a failure to announce never undoes the disable.
 */
async function disableUser(
  config: GatehouseConfig,
  store: Store,
  io: CliIO,
  username: string,
  deliver: DeliverLogoutToken | undefined,
): Promise<number> {
  const user = await store.users.findByUsername(username);
  const sessions = user ? await store.sessions.listByUser(user.id) : [];
  const outcomes: LogoutDeliveryOutcome[] = [];
  let backchannel: Awaited<ReturnType<typeof openStandaloneBackchannelLogout>> | undefined;
  if (user?.source === 'admin' && user.status !== 'disabled' && sessions.some((s) => s.endedAt === null)) {
    try {
      backchannel = await openStandaloneBackchannelLogout(config, store, {
        secrets: cliSecrets(config, io),
        ...(deliver ? { deliver } : {}),
        onOutcome: (outcome) => outcomes.push(outcome),
      });
    } catch (error) {
      io.err(
        `note: cannot sign the user out of their apps (${(error as Error).message}); ` +
          'run this with the GATEHOUSE_MASTER_KEY the server uses to send Back-Channel Logout',
      );
    }
  }
  const code = await changeStatus(store, io, username, 'disabled', backchannel?.sessionEnded);
  if (backchannel) {
    await backchannel.idle();
    for (const outcome of outcomes) {
      io.out(
        outcome.outcome === 'delivered'
          ? `signed out of '${outcome.clientId}' (back-channel logout)`
          : `could not sign out of '${outcome.clientId}' (${outcome.outcome}: ${outcome.error}); its own session ends when it expires`,
      );
    }
  }
  return code;
}

async function changeStatus(
  store: Store,
  io: CliIO,
  username: string,
  status: UserStatus,
  onSessionEnded?: SessionEndedListener,
): Promise<number> {
  const result = await setUserStatus(store, username, status, epochSeconds(systemClock), {
    ...(onSessionEnded ? { onSessionEnded } : {}),
  });
  const word = status === 'disabled' ? 'disabled' : 'enabled';
  switch (result.outcome) {
    case 'not_found':
      io.err(`no user '${username}'; see: gatehouse users list`);
      return 1;
    case 'from_config':
      io.err(
        `user '${result.user.username}' comes from the config file; set 'disabled: ${status === 'disabled'}' there and restart`,
      );
      return 1;
    case 'unchanged':
      io.out(`user '${result.user.username}' is already ${word}`);
      return 0;
    case 'changed':
      io.out(
        status === 'disabled'
          ? `disabled user '${result.user.username}'; they can no longer sign in`
          : `enabled user '${result.user.username}'; they can sign in again`,
      );
      if (result.endedSessions > 0) {
        const sessions = result.endedSessions === 1 ? '1 session' : `${result.endedSessions} sessions`;
        io.out(`ended ${sessions} and revoked the tokens issued through them (offline access excepted)`);
      }
      return 0;
  }
}

/** Why the username or email cannot be used, checked before anyone types a password. */
async function takenMessage(store: Store, fields: Omit<NewUser, 'password'>): Promise<string | undefined> {
  if (await store.users.findByUsername(fields.username))
    return duplicateMessage(new DuplicateUserError('username'), fields);
  if (fields.email !== undefined && (await store.users.findByEmail(fields.email))) {
    return duplicateMessage(new DuplicateUserError('email'), fields);
  }
  return undefined;
}

function duplicateMessage(error: DuplicateUserError, fields: Omit<NewUser, 'password'>): string {
  return error.field === 'email'
    ? `the email '${fields.email}' already belongs to another user`
    : `a user named '${fields.username}' already exists (usernames are compared regardless of case)`;
}

async function readNewPassword(input: PasswordInput, fromStdin: boolean, username: string): Promise<string> {
  if (fromStdin) return passwordFromStdin(await input.readAll());
  if (!input.interactive) {
    throw new UsageError('no terminal to ask for the password on; pipe it in with --password-stdin', 'users');
  }
  const password = await input.prompt(`Password for ${username}: `);
  if ((await input.prompt('Repeat the password: ')) !== password)
    throw new Error('the passwords do not match');
  return password;
}

/** A user as the CLI shows it: wire spelling, no password hash. */
function publicFields(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    roles: user.roles,
    groups: user.groups,
    status: user.status,
    source: user.source,
    has_password: user.passwordHash !== null,
    created_at: formatTime(user.createdAt),
    updated_at: formatTime(user.updatedAt),
  };
}
