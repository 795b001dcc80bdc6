import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  CredentialsFileError,
  credentialsFile,
  readLogins,
  removeLogin,
  type StoredLogin,
  saveLogin,
} from './credentials-file.js';
import { withCredentialsLock } from './credentials-lock.js';

const posix = process.platform !== 'win32';

function login(issuer: string, accessToken = 'at-1'): StoredLogin {
  return {
    issuer,
    clientId: 'gatehouse-cli',
    accessToken,
    tokenType: 'Bearer',
    expiresAt: 2_000_000_000,
    refreshToken: 'rt-1',
    scope: 'openid offline_access',
    obtainedAt: 1_999_999_000,
  };
}

describe('the credentials file', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gatehouse-creds-'));
    dir = join(root, 'config', 'gatehouse');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads as no logins before the first one', () => {
    assert.deepEqual(readLogins(dir), {});
  });

  it('keeps one login per issuer and replaces a login at the same issuer', () => {
    saveLogin(dir, login('https://a.example'));
    saveLogin(dir, login('https://b.example'));
    saveLogin(dir, login('https://a.example', 'at-2'));
    const logins = readLogins(dir);
    assert.deepEqual(Object.keys(logins).sort(), ['https://a.example', 'https://b.example']);
    assert.equal(logins['https://a.example']?.accessToken, 'at-2');
    assert.equal(removeLogin(dir, 'https://a.example'), true);
    assert.equal(removeLogin(dir, 'https://a.example'), false);
    assert.deepEqual(Object.keys(readLogins(dir)), ['https://b.example']);
  });

  it('is mode 0600 in a directory of mode 0700', { skip: !posix && 'POSIX modes only' }, () => {
    saveLogin(dir, login('https://a.example'));
    assert.equal(statSync(credentialsFile(dir)).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('tightens an existing directory that others can read', { skip: !posix && 'POSIX modes only' }, () => {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    saveLogin(dir, login('https://a.example'));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('writes through a private temporary file renamed over the old one', {
    skip: !posix && 'POSIX modes only',
  }, () => {
    saveLogin(dir, login('https://a.example', 'old'));
    let seen = false;
    saveLogin(dir, login('https://a.example', 'new'), {
      beforeRename(temporary) {
        seen = true;
        assert.equal(statSync(temporary).mode & 0o777, 0o600);
        assert.match(readFileSync(temporary, 'utf8'), /"accessToken": "new"/);
        // Until the rename, readers still see the complete old file.
        assert.equal(readLogins(dir)['https://a.example']?.accessToken, 'old');
      },
    });
    assert.ok(seen);
    assert.equal(readLogins(dir)['https://a.example']?.accessToken, 'new');
    assert.deepEqual(readdirSync(dir), ['credentials.json']);
  });

  it('leaves the old file whole and no temporary file when a write fails', () => {
    saveLogin(dir, login('https://a.example', 'old'));
    assert.throws(
      () =>
        saveLogin(dir, login('https://a.example', 'new'), {
          beforeRename() {
            throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
          },
        }),
      /no space left/,
    );
    assert.equal(readLogins(dir)['https://a.example']?.accessToken, 'old');
    assert.deepEqual(readdirSync(dir), ['credentials.json']);
  });

  it('refuses a file that is not a credentials file, saying what to do', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(credentialsFile(dir), '{"logins": []}');
    assert.throws(
      () => readLogins(dir),
      (error: unknown) =>
        error instanceof CredentialsFileError &&
        /delete it and run 'gatehouse login' again/.test(error.message),
    );
  });
});

describe('the credentials lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs one holder at a time and releases the lock after a failure', async () => {
    const events: string[] = [];
    const holder = (name: string, fail = false) =>
      withCredentialsLock(dir, async () => {
        events.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        events.push(`${name} out`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      });
    const results = await Promise.allSettled([holder('a', true), holder('b')]);
    assert.equal(results[0].status, 'rejected');
    assert.deepEqual(results[1], { status: 'fulfilled', value: 'b' });
    assert.deepEqual(events, ['a in', 'a out', 'b in', 'b out']);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('takes over a lock left behind by a crashed process', async () => {
    const lock = join(dir, 'credentials.lock');
    writeFileSync(lock, '12345');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    assert.equal(await withCredentialsLock(dir, async () => 'ran'), 'ran');
  });
});
