import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AuthorizationCodeRecord, SessionRecord, Store, TokenRecord } from './index.js';
import { storeBackends } from './testing/index.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, in seconds

function session(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    sid: `sid-${id}`,
    userId: 'user-1',
    createdAt: T0,
    lastSeenAt: T0,
    idleExpiresAt: T0 + 1800,
    absoluteExpiresAt: T0 + 86_400,
    authTime: T0,
    amr: ['pwd', 'otp'],
    acr: 'urn:gatehouse:acr:mfa',
    endedAt: null,
    endReason: null,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Zürich ✓',
    address: '192.0.2.1',
    ...overrides,
  };
}

const ids = (records: SessionRecord[]) => records.map((r) => r.id);

function code(digest: string, clientId: string, sessionId: string | null): AuthorizationCodeRecord {
  return {
    digest,
    clientId,
    userId: 'user-1',
    sessionId,
    grantId: null,
    redirectUri: 'https://app.example/cb',
    scope: 'openid',
    resource: [],
    nonce: null,
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    authTime: T0,
    amr: ['pwd'],
    acr: null,
    dpopJkt: null,
    issuedAt: T0,
    expiresAt: T0 + 60,
    consumedAt: null,
    extra: {},
  };
}

function token(digest: string, clientId: string, sessionId: string): TokenRecord {
  return {
    digest,
    kind: 'access_token',
    jti: `jti-${digest}`,
    clientId,
    subject: 'user-1',
    scope: 'openid',
    audience: ['https://issuer.example/userinfo'],
    issuedAt: T0,
    expiresAt: T0 + 60,
    revokedAt: null,
    confirmation: null,
    extra: {},
    sessionId,
  };
}

for (const backend of storeBackends()) {
  describe(backend.name, { skip: backend.skipReason }, () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(() => store.close());

    describe('sessions', () => {
      it('round-trips a session by id and by sid', async () => {
        const record = session('s1');
        await store.sessions.insert(record);
        assert.deepEqual(await store.sessions.findById('s1'), record);
        assert.deepEqual(await store.sessions.findBySid('sid-s1'), record);
      });

      it('keeps nulls and an empty amr, and reads an omitted agent and address as null', async () => {
        const { userAgent, address, ...bare } = session('s1', { acr: null, amr: [] });
        await store.sessions.insert(bare);
        assert.deepEqual(await store.sessions.findById('s1'), { ...bare, userAgent: null, address: null });
      });

      it('returns undefined for an unknown id or sid', async () => {
        assert.equal(await store.sessions.findById('missing'), undefined);
        assert.equal(await store.sessions.findBySid('missing'), undefined);
      });

      it('rejects a second session with the same id or the same sid', async () => {
        await store.sessions.insert(session('s1'));
        await assert.rejects(store.sessions.insert(session('s1', { sid: 'other' })));
        await assert.rejects(store.sessions.insert(session('s2', { sid: 'sid-s1' })));
      });

      it('touches a session that has not ended, and not one that has', async () => {
        await store.sessions.insert(session('s1'));
        assert.equal(await store.sessions.touch('s1', T0 + 60, T0 + 1860), true);
        const touched = await store.sessions.findById('s1');
        assert.equal(touched?.lastSeenAt, T0 + 60);
        assert.equal(touched?.idleExpiresAt, T0 + 1860);
        await store.sessions.end('s1', T0 + 70, 'logout');
        assert.equal(await store.sessions.touch('s1', T0 + 80, T0 + 1880), false);
        assert.equal((await store.sessions.findById('s1'))?.lastSeenAt, T0 + 60);
        assert.equal(await store.sessions.touch('missing', T0, T0), false);
      });

      it('ends a session once, keeping the first time and reason, and still finds it', async () => {
        await store.sessions.insert(session('s1'));
        assert.equal(await store.sessions.end('s1', T0 + 10, 'logout'), true);
        assert.equal(await store.sessions.end('s1', T0 + 20, 'admin'), false);
        const ended = await store.sessions.findById('s1');
        assert.equal(ended?.endedAt, T0 + 10);
        assert.equal(ended?.endReason, 'logout');
        assert.equal(await store.sessions.end('missing', T0, 'logout'), false);
      });

      it('gives exactly one of several concurrent ends true', async () => {
        await store.sessions.insert(session('s1'));
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.sessions.end('s1', T0, `reason-${i}`)),
        );
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('lists a user’s sessions newest first, ended and expired included', async () => {
        await store.sessions.insert(session('old', { createdAt: T0 - 100 }));
        await store.sessions.insert(session('new', { createdAt: T0 }));
        await store.sessions.insert(
          session('mid', { createdAt: T0 - 50, endedAt: T0 - 1, endReason: 'logout' }),
        );
        await store.sessions.insert(session('other', { userId: 'user-2' }));
        assert.deepEqual(ids(await store.sessions.listByUser('user-1')), ['new', 'mid', 'old']);
        assert.deepEqual(await store.sessions.listByUser('nobody'), []);
      });

      it('lists only live sessions with liveAt: not ended, not idle-expired, not past the absolute limit', async () => {
        await store.sessions.insert(session('live', { createdAt: T0 }));
        await store.sessions.insert(
          session('ended', { createdAt: T0 - 1, endedAt: T0, endReason: 'logout' }),
        );
        await store.sessions.insert(session('idle', { createdAt: T0 - 2, idleExpiresAt: T0 + 10 }));
        await store.sessions.insert(session('absolute', { createdAt: T0 - 3, absoluteExpiresAt: T0 + 10 }));
        assert.deepEqual(ids(await store.sessions.listByUser('user-1', { liveAt: T0 + 9 })), [
          'live',
          'idle',
          'absolute',
        ]);
        assert.deepEqual(ids(await store.sessions.listByUser('user-1', { liveAt: T0 + 10 })), ['live']);
      });

      it('ends the oldest live sessions beyond the limit and returns their ids', async () => {
        for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) {
          await store.sessions.insert(session(id, { createdAt: T0 + i }));
        }
        await store.sessions.insert(
          session('gone', { createdAt: T0 - 10, endedAt: T0, endReason: 'logout' }),
        );
        await store.sessions.insert(session('theirs', { userId: 'user-2', createdAt: T0 - 20 }));
        const ended = await store.sessions.endOldestBeyond('user-1', 2, T0 + 100, 'session_limit');
        assert.deepEqual(ended.sort(), ['a', 'b']);
        assert.deepEqual(ids(await store.sessions.listByUser('user-1', { liveAt: T0 + 100 })), ['d', 'c']);
        const a = await store.sessions.findById('a');
        assert.equal(a?.endedAt, T0 + 100);
        assert.equal(a?.endReason, 'session_limit');
        assert.equal((await store.sessions.findById('gone'))?.endReason, 'logout');
        assert.equal((await store.sessions.findById('theirs'))?.endedAt, null);
        assert.deepEqual(await store.sessions.endOldestBeyond('user-1', 2, T0 + 100, 'session_limit'), []);
      });

      it('does not count expired sessions against the limit', async () => {
        await store.sessions.insert(session('expired', { createdAt: T0, idleExpiresAt: T0 + 5 }));
        await store.sessions.insert(session('live', { createdAt: T0 + 1 }));
        assert.deepEqual(await store.sessions.endOldestBeyond('user-1', 1, T0 + 10, 'session_limit'), []);
      });

      it('never ends the session named by exceptId, even when others share its second', async () => {
        for (const id of ['zz', 'yy', 'new']) await store.sessions.insert(session(id, { createdAt: T0 }));
        const ended = await store.sessions.endOldestBeyond('user-1', 1, T0, 'session_limit', {
          exceptId: 'new',
        });
        assert.deepEqual(ended.sort(), ['yy', 'zz']);
        assert.deepEqual(ids(await store.sessions.listByUser('user-1', { liveAt: T0 })), ['new']);
      });

      it('with a limit of one, leaves exactly one live session after concurrent sign-ins', async () => {
        await store.sessions.insert(session('before', { createdAt: T0 - 60 }));
        const signIns = Array.from({ length: 8 }, async (_, i) => {
          const id = `concurrent-${i}`;
          await store.sessions.insert(session(id, { createdAt: T0 }));
          return store.sessions.endOldestBeyond('user-1', 1, T0, 'session_limit', { exceptId: id });
        });
        const ended = (await Promise.all(signIns)).flat();
        const live = await store.sessions.listByUser('user-1', { liveAt: T0 });
        assert.equal(live.length, 1);
        assert.equal(ended.length, 8, 'each other session ended by exactly one call');
        assert.equal(new Set(ended).size, 8);
        assert.ok(!ended.includes(live[0]?.id ?? ''));
      });

      it('deletes sessions that ended before the cut-off and counts them', async () => {
        await store.sessions.insert(session('ended', { endedAt: T0 - 1, endReason: 'logout' }));
        await store.sessions.insert(
          session('timed-out', { idleExpiresAt: T0 - 5, endedAt: T0 - 5, endReason: 'idle_timeout' }),
        );
        await store.sessions.insert(session('edge', { idleExpiresAt: T0, endedAt: T0, endReason: 'logout' }));
        await store.sessions.insert(session('live'));
        assert.equal(await store.sessions.deleteExpired(T0), 2);
        assert.deepEqual(ids(await store.sessions.listByUser('user-1')).sort(), ['edge', 'live']);
        assert.equal(await store.sessions.deleteExpired(T0), 0);
      });

      it('keeps a timed-out session nothing has ended, so ending it can still revoke and notify', async () => {
        await store.sessions.insert(session('idle', { idleExpiresAt: T0 - 1 }));
        await store.sessions.insert(session('absolute', { absoluteExpiresAt: T0 - 1 }));
        assert.equal(await store.sessions.deleteExpired(T0 + 86_400), 0);
        assert.deepEqual((await store.sessions.listTimedOut(T0, 10)).sort(), ['absolute', 'idle']);
      });
    });

    describe('timed-out sessions not yet ended', () => {
      it('lists them, earliest expiry first, up to the limit, and no ended or live one', async () => {
        await store.sessions.insert(session('idle-late', { idleExpiresAt: T0 - 1 }));
        await store.sessions.insert(session('idle-early', { idleExpiresAt: T0 - 100 }));
        await store.sessions.insert(
          session('absolute', { idleExpiresAt: T0 - 10, absoluteExpiresAt: T0 - 10 }),
        );
        await store.sessions.insert(session('edge', { idleExpiresAt: T0 }));
        await store.sessions.insert(
          session('ended', { idleExpiresAt: T0 - 200, endedAt: T0 - 300, endReason: 'logout' }),
        );
        await store.sessions.insert(session('live', { idleExpiresAt: T0 + 1 }));
        assert.deepEqual(await store.sessions.listTimedOut(T0, 10), [
          'idle-early',
          'absolute',
          'idle-late',
          'edge',
        ]);
        assert.deepEqual(await store.sessions.listTimedOut(T0, 2), ['idle-early', 'absolute']);
        assert.deepEqual(await store.sessions.listTimedOut(T0 - 1000, 10), []);
      });
    });

    describe('the clients a session signed in to', () => {
      it('lists the clients of its codes and tokens once each, sorted, and no other session’s', async () => {
        await store.sessions.insert(session('s1'));
        await store.sessions.insert(session('s2'));
        await store.authorizationCodes.insert(code('c1', 'web', 's1'));
        await store.authorizationCodes.insert(code('c2', 'web', 's1'));
        await store.authorizationCodes.insert(code('c3', 'notes', 's2'));
        await store.authorizationCodes.insert(code('c4', 'mail', null));
        await store.tokens.insert(token('t1', 'cli', 's1'));
        await store.tokens.insert(token('t2', 'web', 's1'));
        assert.deepEqual(await store.sessions.listClients('s1'), ['cli', 'web']);
        assert.deepEqual(await store.sessions.listClients('s2'), ['notes']);
        assert.deepEqual(await store.sessions.listClients('missing'), []);
      });

      it('remembers a code’s client after the code and its tokens are deleted', async () => {
        await store.sessions.insert(session('s1', { idleExpiresAt: T0 + 7200 }));
        await store.authorizationCodes.insert(code('c1', 'web', 's1'));
        await store.tokens.insert(token('t1', 'web', 's1'));
        await store.authorizationCodes.deleteExpired(T0 + 3600);
        await store.tokens.deleteExpired(T0 + 3600);
        assert.deepEqual(await store.sessions.listClients('s1'), ['web']);
      });

      it('forgets them with the session', async () => {
        await store.sessions.insert(session('old', { endedAt: T0 - 1, endReason: 'logout' }));
        await store.sessions.insert(session('live'));
        await store.authorizationCodes.insert(code('c1', 'web', 'old'));
        await store.authorizationCodes.insert(code('c2', 'web', 'live'));
        await store.authorizationCodes.deleteExpired(T0 + 3600);
        assert.equal(await store.sessions.deleteExpired(T0), 1);
        assert.deepEqual(await store.sessions.listClients('old'), []);
        assert.deepEqual(await store.sessions.listClients('live'), ['web']);
      });
    });
  });
}
