// A throwaway PostgreSQL database for one Gatehouse run of the bench (--store postgres).

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Creates an empty database beside the one `adminUrl` names (the server's `test` database by
 * default) and returns its URL and a drop() that removes it, connections and all.
 */
export async function createBenchDatabase(adminUrl) {
  const name = `gatehouse_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        // WITH (FORCE): PostgreSQL 13+, ends connections a killed server left behind.
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
