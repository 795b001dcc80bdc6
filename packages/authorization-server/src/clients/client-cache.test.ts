import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '@gatehouse/core';
import type { ClientRecord, ClientStore } from '@gatehouse/store';
import { createClientLookup } from './client-cache.js';

function countingStore(records: Map<string, ClientRecord>): ClientStore & { reads: number } {
  const store = {
    reads: 0,
    async find(clientId: string) {
      store.reads++;
      return records.get(clientId);
    },
    list: async () => [...records.values()],
    upsert: async () => {},
    remove: async () => false,
  };
  return store;
}

const record = (clientId: string): ClientRecord => ({
  clientId,
  secretDigest: null,
  metadata: { grant_types: ['client_credentials'], redirect_uris: [], token_endpoint_auth_method: 'none' },
  source: 'admin',
  createdAt: 0,
  updatedAt: 0,
});

describe('createClientLookup', () => {
  it('finds no client for an id with NUL and never asks the store, cached or not', async () => {
    for (const ttl of [0, 5]) {
      const store = countingStore(new Map([['a', record('a')]]));
      const find = createClientLookup(store, createManualClock(), ttl);
      assert.equal(await find('a\0'), undefined);
      assert.equal(store.reads, 0);
      assert.equal((await find('a'))?.clientId, 'a');
    }
  });

  it('reuses a client read within the TTL and reads again after it', async () => {
    const clock = createManualClock();
    const records = new Map([['a', record('a')]]);
    const store = countingStore(records);
    const find = createClientLookup(store, clock, 5);
    assert.equal((await find('a'))?.clientId, 'a');
    assert.equal((await find('a'))?.clientId, 'a');
    assert.equal(store.reads, 1);
    records.delete('a');
    clock.advance(5);
    assert.equal(await find('a'), undefined, 'a removed client is gone once the TTL has passed');
    assert.equal(store.reads, 2);
  });

  it('never caches an unknown client', async () => {
    const store = countingStore(new Map());
    const find = createClientLookup(store, createManualClock(), 5);
    await find('nobody');
    await find('nobody');
    assert.equal(store.reads, 2);
  });

  it('reads the store every time when the TTL is 0', async () => {
    const store = countingStore(new Map([['a', record('a')]]));
    const find = createClientLookup(store, createManualClock(), 0);
    await find('a');
    await find('a');
    assert.equal(store.reads, 2);
  });
});
