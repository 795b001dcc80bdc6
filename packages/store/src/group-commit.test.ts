import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGroupCommit } from './group-commit.js';

/** A fake durable log: records each batch, rejects any batch holding a 'bad' item. */
function recordingWriter() {
  const batches: string[][] = [];
  const committed: string[] = [];
  return {
    batches,
    committed,
    async writeBatch(items: string[]) {
      batches.push([...items]);
      await new Promise((resolve) => setImmediate(resolve));
      if (items.some((i) => i.startsWith('bad'))) throw new Error(`rejected ${items.length}`);
      committed.push(...items);
      return items.map((i) => `done:${i}`);
    },
  };
}

describe('createGroupCommit', () => {
  it('commits items submitted in the same tick as one batch', async () => {
    const writer = recordingWriter();
    const group = createGroupCommit({ writeBatch: writer.writeBatch, maxBatchSize: 256 });
    const items = Array.from({ length: 100 }, (_, i) => `item-${i}`);
    await Promise.all(items.map((i) => group.submit(i)));
    assert.deepEqual(writer.batches, [items]);
    assert.deepEqual(writer.committed, items);
  });

  it("hands each caller its own item's result", async () => {
    const writer = recordingWriter();
    const group = createGroupCommit({ writeBatch: writer.writeBatch, maxBatchSize: 256 });
    assert.deepEqual(await Promise.all(['a', 'b', 'c'].map((i) => group.submit(i))), [
      'done:a',
      'done:b',
      'done:c',
    ]);
    assert.equal(writer.batches.length, 1);
  });

  it('caps the batch size and keeps submission order', async () => {
    const writer = recordingWriter();
    const group = createGroupCommit({ writeBatch: writer.writeBatch, maxBatchSize: 256 });
    const items = Array.from({ length: 600 }, (_, i) => `item-${i}`);
    await Promise.all(items.map((i) => group.submit(i)));
    assert.deepEqual(
      writer.batches.map((b) => b.length),
      [256, 256, 88],
    );
    assert.deepEqual(writer.committed, items);
  });

  it('resolves a caller only after its batch has committed', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const group = createGroupCommit<string>({
      writeBatch: () => gate.then(() => [undefined]),
      maxBatchSize: 10,
    });
    let settled = false;
    const pending = group.submit('a').then(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    release();
    await pending;
    assert.equal(settled, true);
  });

  it('gathers what arrives during a commit into the next batch', async () => {
    const writer = recordingWriter();
    const group = createGroupCommit({ writeBatch: writer.writeBatch, maxBatchSize: 256 });
    const first = group.submit('a');
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is now in flight
    const later = ['b', 'c', 'd'].map((i) => group.submit(i));
    await Promise.all([first, ...later]);
    assert.deepEqual(writer.batches, [['a'], ['b', 'c', 'd']]);
  });

  it('fails only the bad item when a batch is rejected', async () => {
    const writer = recordingWriter();
    const group = createGroupCommit({ writeBatch: writer.writeBatch, maxBatchSize: 256 });
    const items = ['a', 'b', 'bad-1', 'c'];
    const results = await Promise.allSettled(items.map((i) => group.submit(i)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    const failure = results[2];
    assert.ok(failure?.status === 'rejected');
    assert.equal((failure.reason as Error).message, 'rejected 1');
    assert.deepEqual(results[3], { status: 'fulfilled', value: 'done:c' });
    assert.deepEqual(writer.committed.sort(), ['a', 'b', 'c']);
  });

  it('turns a synchronous throw into a rejection and keeps working', async () => {
    const group = createGroupCommit<string>({
      writeBatch: (items) => {
        if (items.includes('boom')) throw new Error('sync boom');
        return Promise.resolve(items.map(() => undefined));
      },
      maxBatchSize: 256,
    });
    const results = await Promise.allSettled([group.submit('ok'), group.submit('boom')]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected'],
    );
    await group.submit('after');
  });

  it('drain() waits for queued and in-flight items', async () => {
    const writer = recordingWriter();
    const group = createGroupCommit({ writeBatch: writer.writeBatch, maxBatchSize: 2 });
    for (const i of ['a', 'b', 'c']) void group.submit(i);
    await group.drain();
    assert.deepEqual(writer.committed, ['a', 'b', 'c']);
    await group.drain(); // idle: returns at once
  });
});
