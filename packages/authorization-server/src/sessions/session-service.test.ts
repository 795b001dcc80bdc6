import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createManualClock, createSilentLogger, epochSeconds, type ManualClock } from '@gatehouse/core';
import type { Store, TokenRecord } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import type { SessionsConfig } from '../config/schema.js';
import { deriveKeys } from '../keys/master-key.js';
import {
  endSession,
  endUserSession,
  endUserSessions,
  listSessions,
  readSession,
  readSessionById,
  type SessionDeps,
  startSession,
} from './session-service.js';

const secrets = deriveKeys(new Uint8Array(32).fill(1));
const DEFAULTS: SessionsConfig = { idle_timeout: 1800, absolute_timeout: 43_200, max_per_user: 0 };

for (const backend of storeBackends()) {
  describe(`sessions (${backend.name})`, { skip: backend.skipReason }, () => {
    let store: Store;
    let clock: ManualClock;
    beforeEach(async () => {
      store = await backend.open();
      clock = createManualClock();
    });
    afterEach(() => store.close());

    const depsWith = (sessions: Partial<SessionsConfig> = {}): SessionDeps => ({
      store,
      secrets,
      clock,
      logger: createSilentLogger(),
      config: { sessions: { ...DEFAULTS, ...sessions } },
    });
    const signIn = (deps: SessionDeps, userId = 'user-1') =>
      startSession(deps, {
        user: { id: userId },
        amr: ['pwd'],
        acr: null,
        authTime: epochSeconds(clock),
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
        address: '192.0.2.7',
      });
    let tokenCount = 0;
    async function issueToken(sessionId: string, offline: boolean): Promise<string> {
      tokenCount += 1;
      const now = epochSeconds(clock);
      const token: TokenRecord = {
        digest: `digest-${tokenCount}`,
        kind: offline ? 'refresh_token' : 'access_token',
        jti: `jti-${tokenCount}`,
        clientId: 'web-app',
        subject: 'user-1',
        scope: offline ? 'openid offline_access' : 'openid',
        audience: ['https://api.example.com'],
        issuedAt: now,
        expiresAt: now + 86_400,
        revokedAt: null,
        confirmation: null,
        extra: {},
        sessionId,
        offline,
      };
      await store.tokens.insert(token);
      return token.digest;
    }
    const isRevoked = async (digest: string) => (await store.tokens.findByDigest(digest))?.revokedAt !== null;

    describe('startSession', () => {
      it('stores the sign-in (auth_time, amr, acr, sid) under the digest of the cookie secret', async () => {
        const deps = depsWith();
        const now = epochSeconds(clock);
        const { record, cookieValue } = await signIn(deps);
        assert.equal(Buffer.from(cookieValue, 'base64url').length, 32);
        assert.deepEqual(await store.sessions.findById(record.id), record);
        assert.deepEqual(
          { ...record, id: '', sid: '' },
          {
            id: '',
            sid: '',
            userId: 'user-1',
            createdAt: now,
            lastSeenAt: now,
            idleExpiresAt: now + 1800,
            absoluteExpiresAt: now + 43_200,
            authTime: now,
            amr: ['pwd'],
            acr: null,
            endedAt: null,
            endReason: null,
            userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
            address: '192.0.2.7',
          },
        );
        assert.notEqual(record.sid, record.id);
      });

      it('keeps no trace of the cookie secret in the row (a database dump yields no cookie)', async () => {
        const { record, cookieValue } = await signIn(depsWith());
        const dump = JSON.stringify(await store.sessions.findById(record.id));
        assert.ok(!dump.includes(cookieValue));
        assert.ok(!dump.includes(cookieValue.slice(0, 16)));
      });

      it('never ends the newest session with a limit of 1, even within one second', async () => {
        const deps = depsWith({ max_per_user: 1 });
        await signIn(deps);
        const second = await signIn(deps);
        assert.equal((await readSession(deps, second.cookieValue)).ok, true);
      });

      it('with a limit of 1, ends the oldest and revokes its tokens except offline ones', async () => {
        const deps = depsWith({ max_per_user: 1 });
        const first = await signIn(deps);
        const access = await issueToken(first.record.id, false);
        const offline = await issueToken(first.record.id, true);
        clock.advance(10);
        const second = await signIn(deps);
        const secondAccess = await issueToken(second.record.id, false);
        clock.advance(10);
        const third = await signIn(deps);

        assert.deepEqual(await readSession(deps, first.cookieValue), { ok: false, reason: 'ended' });
        assert.equal((await store.sessions.findById(first.record.id))?.endReason, 'limit');
        assert.equal(await isRevoked(access), true);
        assert.equal(await isRevoked(offline), false);
        assert.equal(await isRevoked(secondAccess), true);
        assert.deepEqual(
          (await listSessions(deps, 'user-1')).map((s) => s.sid),
          [third.record.sid],
        );
      });

      it('with a limit of 2, keeps the two newest and leaves other users alone', async () => {
        const deps = depsWith({ max_per_user: 2 });
        const other = await signIn(deps, 'user-2');
        const oldest = await signIn(deps);
        clock.advance(1);
        await signIn(deps);
        clock.advance(1);
        await signIn(deps);
        assert.equal((await listSessions(deps, 'user-1')).length, 2);
        assert.equal((await readSession(deps, oldest.cookieValue)).ok, false);
        assert.equal((await readSession(deps, other.cookieValue)).ok, true);
      });

      it('with no limit (0), keeps every session', async () => {
        const deps = depsWith();
        for (let i = 0; i < 4; i += 1) await signIn(deps);
        assert.equal((await listSessions(deps, 'user-1')).length, 4);
      });
    });

    describe('readSession', () => {
      it('answers missing without a cookie, unknown for a cookie it never issued', async () => {
        const deps = depsWith();
        assert.deepEqual(await readSession(deps, undefined), { ok: false, reason: 'missing' });
        assert.deepEqual(await readSession(deps, ''), { ok: false, reason: 'missing' });
        assert.deepEqual(await readSession(deps, 'not-a-session'), { ok: false, reason: 'unknown' });
        assert.deepEqual(await readSession(deps, 'A'.repeat(43)), { ok: false, reason: 'unknown' });
      });

      it('finds the live session and touches it at most once a minute', async () => {
        const deps = depsWith();
        const { record, cookieValue } = await signIn(deps);
        clock.advance(59);
        const early = await readSession(deps, cookieValue);
        assert.deepEqual(early, { ok: true, session: record });
        assert.equal((await store.sessions.findById(record.id))?.lastSeenAt, record.lastSeenAt);

        clock.advance(1);
        const now = epochSeconds(clock);
        const touched = await readSession(deps, cookieValue);
        assert.ok(touched.ok);
        assert.equal(touched.session.lastSeenAt, now);
        assert.equal(touched.session.idleExpiresAt, now + 1800);
        const stored = await store.sessions.findById(record.id);
        assert.deepEqual([stored?.lastSeenAt, stored?.idleExpiresAt], [now, now + 1800]);
      });

      it('slides the idle expiry with use, and ends a session left idle too long', async () => {
        const deps = depsWith({ idle_timeout: 600 });
        const { record, cookieValue } = await signIn(deps);
        const token = await issueToken(record.id, false);
        const offline = await issueToken(record.id, true);
        for (let i = 0; i < 5; i += 1) {
          clock.advance(500); // beyond 600 s since sign-in, but never 600 s idle
          assert.equal((await readSession(deps, cookieValue)).ok, true);
        }
        clock.advance(600);
        assert.deepEqual(await readSession(deps, cookieValue), { ok: false, reason: 'idle_timeout' });
        const ended = await store.sessions.findById(record.id);
        assert.deepEqual([ended?.endReason, ended?.endedAt], ['idle_timeout', ended?.idleExpiresAt]);
        assert.equal(await isRevoked(token), true);
        assert.equal(await isRevoked(offline), false);
        assert.deepEqual(await readSession(deps, cookieValue), { ok: false, reason: 'ended' });
      });

      it('ends a session at the absolute timeout however much it is used', async () => {
        const deps = depsWith({ idle_timeout: 600, absolute_timeout: 1000 });
        const { record, cookieValue } = await signIn(deps);
        const token = await issueToken(record.id, false);
        clock.advance(500);
        const used = await readSession(deps, cookieValue);
        assert.ok(used.ok);
        // The idle expiry never reaches beyond the absolute one.
        assert.equal(used.session.idleExpiresAt, record.absoluteExpiresAt);
        clock.advance(499);
        assert.equal((await readSession(deps, cookieValue)).ok, true);
        clock.advance(1);
        assert.deepEqual(await readSession(deps, cookieValue), { ok: false, reason: 'absolute_timeout' });
        assert.equal((await store.sessions.findById(record.id))?.endReason, 'absolute_timeout');
        assert.equal(await isRevoked(token), true);
      });

      it('names the idle timeout when it struck before the absolute one', async () => {
        const deps = depsWith({ idle_timeout: 600, absolute_timeout: 1000 });
        const { cookieValue } = await signIn(deps);
        clock.advance(5000);
        assert.deepEqual(await readSession(deps, cookieValue), { ok: false, reason: 'idle_timeout' });
      });

      it('reads by row id for the refresh grant, with the same verdicts', async () => {
        const deps = depsWith({ idle_timeout: 600 });
        const { record } = await signIn(deps);
        assert.equal((await readSessionById(deps, record.id)).ok, true);
        assert.deepEqual(await readSessionById(deps, 'no-such-id'), { ok: false, reason: 'unknown' });
        clock.advance(600);
        assert.deepEqual(await readSessionById(deps, record.id), { ok: false, reason: 'idle_timeout' });
      });
    });

    describe('endSession', () => {
      it('ends a session on logout and revokes its tokens except offline ones', async () => {
        const deps = depsWith();
        const { record, cookieValue } = await signIn(deps);
        const token = await issueToken(record.id, false);
        const offline = await issueToken(record.id, true);
        assert.equal(await endSession(deps, record.id, 'logout'), true);
        assert.equal(await endSession(deps, record.id, 'logout'), false);
        assert.deepEqual(await readSession(deps, cookieValue), { ok: false, reason: 'ended' });
        assert.equal((await store.sessions.findById(record.id))?.endReason, 'logout');
        assert.equal(await isRevoked(token), true);
        assert.equal(await isRevoked(offline), false);
      });

      it('ends one of the user’s own sessions by sid, never another user’s', async () => {
        const deps = depsWith();
        const mine = await signIn(deps, 'user-1');
        const theirs = await signIn(deps, 'user-2');
        assert.equal(await endUserSession(deps, 'user-1', theirs.record.sid, 'logout'), false);
        assert.equal((await readSession(deps, theirs.cookieValue)).ok, true);
        assert.equal(await endUserSession(deps, 'user-1', 'no-such-sid', 'logout'), false);
        assert.equal(await endUserSession(deps, 'user-1', mine.record.sid, 'logout'), true);
        assert.deepEqual(await readSession(deps, mine.cookieValue), { ok: false, reason: 'ended' });
      });

      it('ends every session of a user, expired ones included, and revokes their tokens', async () => {
        const deps = depsWith({ idle_timeout: 600 });
        const stale = await signIn(deps);
        const staleToken = await issueToken(stale.record.id, false);
        clock.advance(700);
        const fresh = await signIn(deps);
        const freshToken = await issueToken(fresh.record.id, false);
        const other = await signIn(deps, 'user-2');

        assert.equal(await endUserSessions(deps, 'user-1', 'user_disabled'), 2);
        assert.equal((await store.sessions.findById(stale.record.id))?.endReason, 'user_disabled');
        assert.deepEqual(await readSession(deps, fresh.cookieValue), { ok: false, reason: 'ended' });
        assert.equal(await isRevoked(staleToken), true);
        assert.equal(await isRevoked(freshToken), true);
        assert.equal((await readSession(deps, other.cookieValue)).ok, true);
        assert.equal(await endUserSessions(deps, 'user-1', 'user_disabled'), 0);
      });
    });

    describe('listSessions', () => {
      it('lists the live sessions newest first by sid, without row ids or secrets', async () => {
        const deps = depsWith({ idle_timeout: 600 });
        const expired = await signIn(deps);
        clock.advance(700);
        const older = await signIn(deps);
        clock.advance(5);
        const newer = await signIn(deps);
        const ended = await signIn(deps);
        await endSession(deps, ended.record.id, 'logout');

        const listed = await listSessions(deps, 'user-1');
        assert.deepEqual(
          listed.map((s) => s.sid),
          [newer.record.sid, older.record.sid],
        );
        assert.deepEqual(listed[0], {
          sid: newer.record.sid,
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
          address: '192.0.2.7',
          startedAt: newer.record.createdAt,
          lastSeenAt: newer.record.lastSeenAt,
          authTime: newer.record.authTime,
          amr: ['pwd'],
        });
        const text = JSON.stringify(listed);
        for (const s of [expired, older, newer]) {
          assert.ok(!text.includes(s.record.id) && !text.includes(s.cookieValue));
        }
      });
    });
  });
}
