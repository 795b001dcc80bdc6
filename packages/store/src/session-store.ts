import type { ExpressionBuilder, Kysely } from 'kysely';
import { sql } from 'kysely';
import { prepareQuery } from './prepared-query.js';
import type { Database, SessionsTable } from './schema.js';
import type { SessionRecord, SessionStore } from './store.js';
import type { StoreContext } from './store-context.js';

const COLUMNS = [
  'id',
  'sid',
  'user_id',
  'created_at',
  'last_seen_at',
  'idle_expires_at',
  'absolute_expires_at',
  'auth_time',
  'amr',
  'acr',
  'ended_at',
  'end_reason',
  'user_agent',
  'address',
] as const;

export function createSessionStore({ kind, db, statements, readRows }: StoreContext): SessionStore {
  // Read and touched on every request that carries the session cookie.
  const findQuery = prepareQuery<{ id: string }, SessionsTable>(statements, (arg) =>
    db.selectFrom('sessions').select(COLUMNS).where('id', '=', arg('id')),
  );
  const touchQuery = prepareQuery<{ id: string; lastSeenAt: number; idleExpiresAt: number }, never>(
    statements,
    (arg) =>
      db
        .updateTable('sessions')
        .set({ last_seen_at: arg('lastSeenAt'), idle_expires_at: arg('idleExpiresAt') })
        .where('id', '=', arg('id'))
        .where('ended_at', 'is', null),
  );

  const liveIdsNewestFirst = (executor: Kysely<Database>, userId: string, at: number) =>
    executor
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .where('idle_expires_at', '>', at)
      .where('absolute_expires_at', '>', at)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();

  return {
    async insert(record) {
      await db.insertInto('sessions').values(toRow(record)).execute();
    },

    async findById(id) {
      const query = findQuery({ id });
      const rows = (readRows ? readRows(query) : (await db.executeQuery(query)).rows) as SessionsTable[];
      return rows[0] && toRecord(rows[0]);
    },

    async findBySid(sid) {
      const row = await db.selectFrom('sessions').select(COLUMNS).where('sid', '=', sid).executeTakeFirst();
      return row && toRecord(row);
    },

    async touch(id, lastSeenAt, idleExpiresAt) {
      const { numAffectedRows } = await db.executeQuery(touchQuery({ id, lastSeenAt, idleExpiresAt }));
      return (numAffectedRows ?? 0n) > 0n;
    },

    async end(id, at, reason) {
      const result = await db
        .updateTable('sessions')
        .set({ ended_at: at, end_reason: reason })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async listByUser(userId, options = {}) {
      let query = db.selectFrom('sessions').select(COLUMNS).where('user_id', '=', userId);
      if (options.liveAt !== undefined) {
        query = query
          .where('ended_at', 'is', null)
          .where('idle_expires_at', '>', options.liveAt)
          .where('absolute_expires_at', '>', options.liveAt);
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      return rows.map(toRecord);
    },

    endOldestBeyond: (userId, keep, at, reason, options = {}) =>
      db.transaction().execute(async (trx) => {
        // Serialise per user, so that of two concurrent sign-ins the later one sees the
        // earlier one's session: without it each could count only the sessions committed
        // before it and both stay. SQLite already has one writer at a time (BEGIN IMMEDIATE);
        // PostgreSQL takes a transaction-scoped advisory lock on the user.
        if (kind === 'postgres') {
          await sql`select pg_advisory_xact_lock(hashtextextended(${`gatehouse.sessions:${userId}`}, 0))`.execute(
            trx,
          );
        }
        const live = (await liveIdsNewestFirst(trx, userId, at)).map((r) => r.id);
        const { exceptId } = options;
        const ordered =
          exceptId !== undefined && live.includes(exceptId)
            ? [exceptId, ...live.filter((id) => id !== exceptId)]
            : live;
        const beyond = ordered.slice(Math.max(keep, 0));
        if (beyond.length === 0) return [];
        const ended = await trx
          .updateTable('sessions')
          .set({ ended_at: at, end_reason: reason })
          .where('id', 'in', beyond)
          .where('ended_at', 'is', null)
          .returning('id')
          .execute();
        return ended.map((r) => r.id);
      }),

    async listClients(sessionId) {
      // Tokens and device authorizations name their session too; they cover rows written
      // before session_clients existed.
      const rows = await db
        .selectFrom('session_clients')
        .select('client_id')
        .where('session_id', '=', sessionId)
        .union(db.selectFrom('tokens').select('client_id').where('session_id', '=', sessionId))
        .union(db.selectFrom('device_authorizations').select('client_id').where('session_id', '=', sessionId))
        .execute();
      return [...new Set(rows.map((r) => r.client_id))].sort();
    },

    async listTimedOut(at, limit) {
      const rows = await db
        .selectFrom('sessions')
        .select('id')
        .where('ended_at', 'is', null)
        .where((eb) => eb.or([eb('idle_expires_at', '<=', at), eb('absolute_expires_at', '<=', at)]))
        // The idle expiry never passes the absolute one, so it is the session's earliest.
        .orderBy('idle_expires_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    async deleteExpired(before) {
      // Only ended sessions go. A session past its timeout but never ended is left for the
      // issuer's timeout sweep, which ends it properly: revokes its tokens and tells its
      // clients (Back-Channel Logout). Deleting it here would skip both.
      const gone = (eb: ExpressionBuilder<Database, 'sessions'>) => eb('ended_at', '<', before);
      // Their client lists first: a session is gone for good once it matches, so nothing is
      // added for it in between.
      await db
        .deleteFrom('session_clients')
        .where('session_id', 'in', db.selectFrom('sessions').select('id').where(gone))
        .execute();
      const result = await db.deleteFrom('sessions').where(gone).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRow(record: SessionRecord): SessionsTable {
  return {
    id: record.id,
    sid: record.sid,
    user_id: record.userId,
    created_at: record.createdAt,
    last_seen_at: record.lastSeenAt,
    idle_expires_at: record.idleExpiresAt,
    absolute_expires_at: record.absoluteExpiresAt,
    auth_time: record.authTime,
    amr: JSON.stringify(record.amr),
    acr: record.acr,
    ended_at: record.endedAt,
    end_reason: record.endReason,
    user_agent: record.userAgent ?? null,
    address: record.address ?? null,
  };
}

function toRecord(row: SessionsTable): SessionRecord {
  return {
    id: row.id,
    sid: row.sid,
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    idleExpiresAt: row.idle_expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    authTime: row.auth_time,
    amr: JSON.parse(row.amr) as string[],
    acr: row.acr,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    userAgent: row.user_agent,
    address: row.address,
  };
}
