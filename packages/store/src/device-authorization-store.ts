import { sql } from 'kysely';
import type { DeviceAuthorizationsTable } from './schema.js';
import type { DeviceAuthorizationRecord, DeviceAuthorizationStore } from './store.js';
import type { StoreContext } from './store-context.js';

const COLUMNS = [
  'device_code_digest',
  'user_code_digest',
  'client_id',
  'scopes',
  'resources',
  'status',
  'poll_interval',
  'last_polled_at',
  'created_at',
  'expires_at',
  'user_agent',
  'address',
  'user_id',
  'session_id',
  'grant_id',
  'approved_scopes',
  'auth_time',
  'amr',
  'acr',
  'decided_at',
  'consumed_at',
] as const;

/** RFC 8628 §3.5: "the interval MUST be increased by 5 seconds" on slow_down. */
const SLOW_DOWN_STEP = 5;

export function createDeviceAuthorizationStore({ db }: StoreContext): DeviceAuthorizationStore {
  return {
    async insert(record) {
      // A user code that collides with a stored one (even an expired row not yet purged) is
      // not stored; the caller draws another. DO NOTHING keeps both dialects free of errors.
      const result = await db
        .insertInto('device_authorizations')
        .values(toRow(record))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async findByDeviceCode(deviceCodeDigest) {
      const row = await db
        .selectFrom('device_authorizations')
        .select(COLUMNS)
        .where('device_code_digest', '=', deviceCodeDigest)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async findByUserCode(userCodeDigest) {
      const row = await db
        .selectFrom('device_authorizations')
        .select(COLUMNS)
        .where('user_code_digest', '=', userCodeDigest)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async decide(deviceCodeDigest, decision, at) {
      // A conditional UPDATE decides between concurrent decisions: in PostgreSQL the second
      // waits for the first's row lock, re-checks `status = 'pending'` and matches nothing;
      // SQLite has one writer at a time.
      const approved = decision.status === 'approved' ? decision : undefined;
      // An approval signs the client in through the session: it joins the session's clients
      // (for Back-Channel Logout) in the same transaction, as an authorization code does.
      return db.transaction().execute(async (trx) => {
        const decided = await trx
          .updateTable('device_authorizations')
          .set({
            status: decision.status,
            user_id: decision.userId,
            session_id: decision.sessionId,
            grant_id: approved?.grantId ?? null,
            approved_scopes: approved ? JSON.stringify(approved.approvedScopes) : null,
            auth_time: approved?.authTime ?? null,
            amr: approved ? JSON.stringify(approved.amr) : null,
            acr: approved?.acr ?? null,
            decided_at: at,
          })
          .where('device_code_digest', '=', deviceCodeDigest)
          .where('status', '=', 'pending')
          .where('expires_at', '>', at)
          .returning('client_id')
          .executeTakeFirst();
        if (!decided) return false;
        if (approved) {
          await trx
            .insertInto('session_clients')
            .values({ session_id: approved.sessionId, client_id: decided.client_id, first_seen_at: at })
            .onConflict((oc) => oc.columns(['session_id', 'client_id']).doNothing())
            .execute();
        }
        return true;
      });
    },

    async recordPoll(deviceCodeDigest, at) {
      // Two conditional UPDATEs, each atomic on the row: the first takes a poll that waited
      // long enough, the second one that did not. Of two concurrent polls the second sees the
      // first's last_polled_at (PostgreSQL re-checks the WHERE after the row lock), so it is
      // judged too early rather than both passing.
      const polled = sql.ref('device_authorizations.last_polled_at');
      const interval = sql.ref('device_authorizations.poll_interval');
      const onTime = await db
        .updateTable('device_authorizations')
        .set({ last_polled_at: at })
        .where('device_code_digest', '=', deviceCodeDigest)
        .where('status', '=', 'pending')
        .where(sql<boolean>`(${polled} is null or ${polled} + ${interval} <= ${at})`)
        .returning(COLUMNS)
        .executeTakeFirst();
      if (onTime) return { outcome: 'pending', record: toRecord(onTime) };
      const early = await db
        .updateTable('device_authorizations')
        .set({ last_polled_at: at, poll_interval: sql<number>`${interval} + ${SLOW_DOWN_STEP}` })
        .where('device_code_digest', '=', deviceCodeDigest)
        .where('status', '=', 'pending')
        .where(sql<boolean>`${polled} + ${interval} > ${at}`)
        .returning(COLUMNS)
        .executeTakeFirst();
      if (early) return { outcome: 'slow_down', record: toRecord(early) };
      return { outcome: 'not_pending' };
    },

    async consume(deviceCodeDigest, at) {
      // Single use (RFC 8628 §3.5 says the device code is redeemed once, like a code): the
      // status moves from approved to consumed for exactly one caller.
      const row = await db
        .updateTable('device_authorizations')
        .set({ status: 'consumed', consumed_at: at })
        .where('device_code_digest', '=', deviceCodeDigest)
        .where('status', '=', 'approved')
        .returning(COLUMNS)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async deleteExpired(before) {
      const result = await db
        .deleteFrom('device_authorizations')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRow(record: DeviceAuthorizationRecord): DeviceAuthorizationsTable {
  return {
    device_code_digest: record.deviceCodeDigest,
    user_code_digest: record.userCodeDigest,
    client_id: record.clientId,
    scopes: JSON.stringify(record.scopes),
    resources: JSON.stringify(record.resources),
    status: record.status,
    poll_interval: record.interval,
    last_polled_at: record.lastPolledAt,
    created_at: record.createdAt,
    expires_at: record.expiresAt,
    user_agent: record.userAgent,
    address: record.address,
    user_id: record.userId,
    session_id: record.sessionId,
    grant_id: record.grantId,
    approved_scopes: record.approvedScopes === null ? null : JSON.stringify(record.approvedScopes),
    auth_time: record.authTime,
    amr: record.amr === null ? null : JSON.stringify(record.amr),
    acr: record.acr,
    decided_at: record.decidedAt,
    consumed_at: record.consumedAt,
  };
}

function toRecord(row: DeviceAuthorizationsTable): DeviceAuthorizationRecord {
  return {
    deviceCodeDigest: row.device_code_digest,
    userCodeDigest: row.user_code_digest,
    clientId: row.client_id,
    scopes: JSON.parse(row.scopes) as string[],
    resources: JSON.parse(row.resources) as string[],
    status: row.status,
    interval: Number(row.poll_interval),
    lastPolledAt: nullableNumber(row.last_polled_at),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    userAgent: row.user_agent,
    address: row.address,
    userId: row.user_id,
    sessionId: row.session_id,
    grantId: row.grant_id,
    approvedScopes: row.approved_scopes === null ? null : (JSON.parse(row.approved_scopes) as string[]),
    authTime: nullableNumber(row.auth_time),
    amr: row.amr === null ? null : (JSON.parse(row.amr) as string[]),
    acr: row.acr,
    decidedAt: nullableNumber(row.decided_at),
    consumedAt: nullableNumber(row.consumed_at),
  };
}

function nullableNumber(value: number | null): number | null {
  return value === null ? null : Number(value);
}
