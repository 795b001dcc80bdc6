import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGroupRead } from './group-read.js';

/** A fake table: records each batch of keys, rejects any batch holding 'broken'. */
function recordingTable(rows: Record<string, string>) {
  const batches: string[][] = [];
  return {
    batches,
    async readBatch(keys: string[]) {
      batches.push([...keys]);
      await new Promise((resolve) => setImmediate(resolve));
      if (keys.includes('broken')) throw new Error('database unavailable');
      return new Map(keys.filter((k) => k in rows).map((k) => [k, rows[k]!]));
    },
  };
}

describe('createGroupRead', () => {
  it('answers the lookups of one turn with one read, each with its own row', async () => {
    const table = recordingTable({ a: 'row a', b: 'row b' });
    const group = createGroupRead({ readBatch: table.readBatch, maxBatchSize: 64 });
    const keys = ['a', 'missing', 'b', 'a'];
    assert.deepEqual(await Promise.all(keys.map((k) => group.read(k))), [
      'row a',
      undefined,
      'row b',
      'row a',
    ]);
    assert.deepEqual(table.batches, [keys]);
  });

  it('splits more keys than one read may hold over several reads', async () => {
    const rows = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, `row ${i}`]));
    const table = recordingTable(rows);
    const group = createGroupRead({ readBatch: table.readBatch, maxBatchSize: 4 });
    const values = await Promise.all(Object.keys(rows).map((k) => group.read(k)));
    assert.deepEqual(values, Object.values(rows));
    assert.deepEqual(
      table.batches.map((b) => b.length),
      [4, 4, 2],
    );
  });

  it('fails every lookup of a failed read, and reads again on the next turn', async () => {
    const table = recordingTable({ a: 'row a' });
    const group = createGroupRead({ readBatch: table.readBatch, maxBatchSize: 64 });
    const results = await Promise.allSettled([group.read('a'), group.read('broken')]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(await group.read('a'), 'row a');
  });

  it('starts a new read for lookups asked for while one is running', async () => {
    const table = recordingTable({ a: 'row a', b: 'row b' });
    const group = createGroupRead({ readBatch: table.readBatch, maxBatchSize: 64 });
    const first = group.read('a');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await group.read('b'), 'row b');
    assert.equal(await first, 'row a');
    assert.deepEqual(table.batches, [['a'], ['b']]);
  });
});
