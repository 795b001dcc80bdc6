import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verifyPassword } from '@gatehouse/authorization-server';
import { openStore, type UserRecord } from '@gatehouse/store';
import { commands } from '../main.js';
import type { PasswordInput } from '../password-input.js';
import { type CliRun, createCliSandbox, runCli, SANDBOX_CONFIG } from '../testing/run-cli.js';
import { createUsersCommand } from './users.js';

const PASSWORD = 'correct horse battery staple';

/** A password source that answers prompts from a script and records them. */
function scripted(answers: string[], options: { interactive?: boolean; stdin?: string } = {}) {
  const prompts: string[] = [];
  const input: PasswordInput = {
    interactive: options.interactive ?? true,
    async prompt(question) {
      prompts.push(question);
      const answer = answers.shift();
      if (answer === undefined) throw new Error('no scripted answer left');
      return answer;
    },
    readAll: async () => options.stdin ?? '',
  };
  return { input, prompts };
}

function usersSandbox(config = SANDBOX_CONFIG) {
  const sandbox = createCliSandbox(config);
  const run = (argv: string[], input = scripted([PASSWORD, PASSWORD]).input): Promise<CliRun> =>
    runCli(
      sandbox,
      ['users', ...argv],
      [...commands.filter((c) => c.name !== 'users'), createUsersCommand({ passwordInput: () => input })],
    );
  /** Works on the sandbox's database directly. */
  const withDatabase = async <T>(work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>) => {
    const store = await openStore({ kind: 'sqlite', file: join(sandbox.dir, 'data', 'gatehouse.db') });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };
  return { ...sandbox, run, withDatabase };
}

describe('gatehouse users', () => {
  const sandbox = usersSandbox();
  after(() => sandbox.cleanup());

  describe('add', () => {
    it('asks for the password twice, echo off, and stores only its hash', async () => {
      const { input, prompts } = scripted([PASSWORD, PASSWORD]);
      const { code, out, err } = await sandbox.run(
        [
          'add',
          'alice',
          '--email',
          'alice@example.com',
          '--name',
          'Alice Liddell',
          '--role',
          'admin',
          '--role',
          'auditor',
          '--group',
          'ops',
        ],
        input,
      );
      assert.equal(code, 0, err);
      assert.deepEqual(prompts, ['Password for alice: ', 'Repeat the password: ']);
      assert.match(out, /^added user 'alice' \(id [A-Za-z0-9_-]{22}\)\n$/);
      const stored = await sandbox.withDatabase((store) => store.users.findByUsername('alice'));
      assert.deepEqual(
        [stored?.email, stored?.name, stored?.roles, stored?.groups, stored?.source, stored?.status],
        ['alice@example.com', 'Alice Liddell', ['admin', 'auditor'], ['ops'], 'admin', 'active'],
      );
      assert.equal(await verifyPassword(stored?.passwordHash ?? null, PASSWORD), true);
    });

    it('reads the password from standard input with --password-stdin', async () => {
      const { input, prompts } = scripted([], { interactive: false, stdin: `${PASSWORD}\n` });
      const { code, out } = await sandbox.run(['add', 'ci-bot', '--password-stdin', '--json'], input);
      assert.equal(code, 0);
      assert.deepEqual(prompts, []);
      const printed = JSON.parse(out) as Record<string, unknown>;
      assert.deepEqual(Object.keys(printed), [
        'id',
        'username',
        'email',
        'email_verified',
        'name',
        'roles',
        'groups',
        'status',
        'source',
        'has_password',
        'created_at',
        'updated_at',
      ]);
      assert.equal(printed['has_password'], true);
      const stored = await sandbox.withDatabase((store) => store.users.findByUsername('ci-bot'));
      assert.equal(await verifyPassword(stored?.passwordHash ?? null, PASSWORD), true);
    });

    it('refuses when the two passwords differ', async () => {
      const { code, err } = await sandbox.run(['add', 'bob'], scripted([PASSWORD, `${PASSWORD}!`]).input);
      assert.equal(code, 1);
      assert.equal(err, 'gatehouse users: the passwords do not match\n');
      assert.equal(await sandbox.withDatabase((store) => store.users.findByUsername('bob')), undefined);
    });

    it('refuses a password that breaks the policy', async () => {
      const { code, err } = await sandbox.run(['add', 'bob'], scripted(['too short', 'too short']).input);
      assert.equal(code, 1);
      assert.equal(err, 'password must be at least 12 characters\n');
    });

    it('refuses an empty password from standard input', async () => {
      const { code, err } = await sandbox.run(
        ['add', 'bob', '--password-stdin'],
        scripted([], { interactive: false, stdin: '\n' }).input,
      );
      assert.equal(code, 1);
      assert.equal(err, 'password must not be empty or only whitespace\n');
    });

    it('needs a terminal or --password-stdin', async () => {
      const { code, err } = await sandbox.run(['add', 'bob'], scripted([], { interactive: false }).input);
      assert.equal(code, 2);
      assert.match(
        err,
        /^gatehouse users: no terminal to ask for the password on; pipe it in with --password-stdin\n/,
      );
    });

    it('never takes the password as an argument', async () => {
      const { code, err } = await sandbox.run(['add', 'bob', '--password', PASSWORD]);
      assert.equal(code, 2);
      assert.match(err, /a password is never taken as an argument/);
      assert.doesNotMatch(err, new RegExp(PASSWORD));
    });

    it('refuses a username taken in any case before asking for a password', async () => {
      const { input, prompts } = scripted([PASSWORD, PASSWORD]);
      const { code, err } = await sandbox.run(['add', 'ALICE'], input);
      assert.equal(code, 1);
      assert.equal(err, "a user named 'ALICE' already exists (usernames are compared regardless of case)\n");
      assert.deepEqual(prompts, []);
    });

    it('refuses an email taken in any case before asking for a password', async () => {
      const { input, prompts } = scripted([PASSWORD, PASSWORD]);
      const { code, err } = await sandbox.run(['add', 'alice2', '--email', 'Alice@Example.com'], input);
      assert.equal(code, 1);
      assert.equal(err, "the email 'Alice@Example.com' already belongs to another user\n");
      assert.deepEqual(prompts, []);
    });

    it('names a field that breaks the rules, before asking for a password', async () => {
      const cases: [string[], string][] = [
        [
          ['add', 'bob smith'],
          "username must be 1-64 characters: ASCII letters, digits, '.', '_' or '-', starting with a letter or digit",
        ],
        [['add', 'bob', '--email', 'bob'], "email must be an email address like 'name@example.com'"],
        [['add', 'bob', '--email-verified'], 'email verified needs an email'],
        [
          ['add', 'bob', '--role', 'two words'],
          "role 'two words' must be 1-100 visible ASCII characters without spaces",
        ],
      ];
      for (const [argv, message] of cases) {
        const { input, prompts } = scripted([PASSWORD, PASSWORD]);
        const { code, err } = await sandbox.run(argv, input);
        assert.equal(code, 2, argv.join(' '));
        assert.equal(err, `gatehouse users: ${message}\nRun 'gatehouse users --help' for usage.\n`);
        assert.deepEqual(prompts, []);
      }
    });

    it('needs a USERNAME and takes only one', async () => {
      assert.match((await sandbox.run(['add'])).err, /'users add' needs a USERNAME/);
      const extra = await sandbox.run(['add', 'a', 'b']);
      assert.equal(extra.code, 2);
      assert.match(extra.err, /unexpected argument 'b'/);
    });
  });

  describe('list', () => {
    it('shows every user without password hashes', async () => {
      const { code, out } = await sandbox.run(['list']);
      assert.equal(code, 0);
      const lines = out.trimEnd().split('\n');
      assert.match(lines[0]!, /^USERNAME +ID +STATUS +SOURCE +EMAIL +ROLES +GROUPS +CREATED$/);
      assert.match(
        out,
        /^alice +[A-Za-z0-9_-]{22} +active +admin +alice@example\.com +admin,auditor +ops +\d{4}-/m,
      );
      assert.match(out, /^ci-bot +\S+ +active +admin +\d{4}-/m);
      assert.doesNotMatch(out, /argon2/);
    });

    it('prints JSON with --json', async () => {
      const { code, out } = await sandbox.run(['list', '--json']);
      assert.equal(code, 0);
      const users = JSON.parse(out) as Record<string, unknown>[];
      assert.deepEqual(
        users.map((u) => u['username']),
        ['alice', 'ci-bot'],
      );
      assert.doesNotMatch(out, /argon2|password_hash/);
    });

    it('takes no USERNAME', async () => {
      const { code, err } = await sandbox.run(['list', 'alice']);
      assert.equal(code, 2);
      assert.match(err, /unexpected argument 'alice'/);
    });
  });

  describe('disable and enable', () => {
    it('disables a user, and says so when there is nothing to do', async () => {
      assert.deepEqual(await sandbox.run(['disable', 'Alice']), {
        code: 0,
        out: "disabled user 'alice'; they can no longer sign in\n",
        err: '',
      });
      const stored = await sandbox.withDatabase((store) => store.users.findByUsername('alice'));
      assert.equal(stored?.status, 'disabled');
      assert.deepEqual(await sandbox.run(['disable', 'alice']), {
        code: 0,
        out: "user 'alice' is already disabled\n",
        err: '',
      });
      assert.match((await sandbox.run(['list'])).out, /^alice +\S+ +disabled /m);
    });

    it('enables a disabled user', async () => {
      assert.deepEqual(await sandbox.run(['enable', 'alice']), {
        code: 0,
        out: "enabled user 'alice'; they can sign in again\n",
        err: '',
      });
      assert.deepEqual(await sandbox.run(['enable', 'alice']), {
        code: 0,
        out: "user 'alice' is already enabled\n",
        err: '',
      });
    });

    it('says when there is no such user', async () => {
      assert.deepEqual(await sandbox.run(['disable', 'nobody']), {
        code: 1,
        out: '',
        err: "no user 'nobody'; see: gatehouse users list\n",
      });
    });

    it('leaves config users to the config file', async () => {
      await sandbox.withDatabase((store) => store.users.insert(configUser('from-config')));
      assert.deepEqual(await sandbox.run(['disable', 'from-config']), {
        code: 1,
        out: '',
        err: "user 'from-config' comes from the config file; set 'disabled: true' there and restart\n",
      });
    });

    it('needs a USERNAME', async () => {
      const { code, err } = await sandbox.run(['enable']);
      assert.equal(code, 2);
      assert.match(err, /'users enable' needs a USERNAME/);
    });
  });

  describe('help', () => {
    it('gives an overview without an action (exit 2) and with --help (exit 0)', async () => {
      const bare = await sandbox.run([]);
      assert.equal(bare.code, 2);
      assert.match(bare.out, /^Usage: gatehouse users add USERNAME/);
      const help = await sandbox.run(['--help']);
      assert.equal(help.code, 0);
      assert.equal(help.out, bare.out);
    });

    for (const action of ['add', 'list', 'disable', 'enable']) {
      it(`gives --help for ${action}`, async () => {
        const { code, out } = await sandbox.run([action, '--help']);
        assert.equal(code, 0);
        assert.match(out, new RegExp(`^Usage: gatehouse users ${action}`));
        assert.match(out, /--config FILE/);
      });
    }

    it('names an unknown action', async () => {
      const { code, err } = await sandbox.run(['delete', 'alice']);
      assert.equal(code, 2);
      assert.match(err, /unknown action 'delete' \(expected add, list, disable or enable\)/);
    });
  });
});

describe('gatehouse users add with accounts.password_min_length', () => {
  const sandbox = usersSandbox(`${SANDBOX_CONFIG}\naccounts:\n  password_min_length: 30\n`);
  after(() => sandbox.cleanup());

  it('follows the configured minimum', async () => {
    const { code, err } = await sandbox.run(['add', 'alice'], scripted([PASSWORD, PASSWORD]).input);
    assert.equal(code, 1);
    assert.equal(err, 'password must be at least 30 characters\n');
  });
});

describe('gatehouse users list on an empty store', () => {
  const sandbox = usersSandbox();
  after(() => sandbox.cleanup());

  it('says how to add the first user', async () => {
    const { code, out } = await sandbox.run(['list']);
    assert.equal(code, 0);
    assert.equal(out, 'no users yet; add one with: gatehouse users add USERNAME\n');
  });
});

function configUser(username: string): UserRecord {
  return {
    id: `id-${username}`,
    username,
    email: null,
    emailVerified: false,
    name: null,
    roles: [],
    groups: [],
    status: 'active',
    passwordHash: null,
    source: 'config',
    createdAt: 0,
    updatedAt: 0,
  };
}
