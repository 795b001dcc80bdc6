import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { compactVerify } from 'jose';
import { createSigningBatch } from './signing-batch.js';
import { encodeJwsHeader, type LoadedSigningKey } from './signing-key.js';

function es256Key(kid: string): { key: LoadedSigningKey; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    key: { kid, alg: 'ES256', publicJwk: publicKey.export({ format: 'jwk' }), privateKey, activatesAt: 0 },
    publicKey,
  };
}

const header = (key: LoadedSigningKey) => encodeJwsHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid });

async function payloadOf(jws: string, publicKey: KeyObject): Promise<unknown> {
  const { payload, protectedHeader } = await compactVerify(jws, publicKey);
  assert.equal(protectedHeader.typ, 'at+jwt');
  return JSON.parse(new TextDecoder().decode(payload));
}

describe('signing batch', () => {
  it('signs a request made alone', async () => {
    const { key, publicKey } = es256Key('one');
    const jws = await createSigningBatch().sign(key, header(key), { n: 1 });
    assert.deepEqual(await payloadOf(jws, publicKey), { n: 1 });
  });

  it('gives every caller of one turn its own payload signed with its own key', async () => {
    const batch = createSigningBatch();
    const keys = [es256Key('a'), es256Key('b')];
    const requests = Array.from({ length: 300 }, (_, n) => ({ n, ...keys[n % 2]! }));
    // 300 is more than one go signs: the rest follow on the next turns.
    const signed = await Promise.all(requests.map(({ n, key }) => batch.sign(key, header(key), { n })));
    for (const [i, jws] of signed.entries()) {
      const { n, key, publicKey } = requests[i]!;
      assert.equal(JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()).kid, key.kid);
      assert.deepEqual(await payloadOf(jws, publicKey), { n });
    }
  });

  it('fails only the caller whose signature failed', async () => {
    const batch = createSigningBatch();
    const good = es256Key('good');
    // An Ed25519 KeyObject under an ES256 label: node:crypto refuses it at signing time.
    const { privateKey: ed25519 } = generateKeyPairSync('ed25519');
    const broken: LoadedSigningKey = { ...good.key, kid: 'broken', privateKey: ed25519 };
    const [before, failed, after] = await Promise.allSettled([
      batch.sign(good.key, header(good.key), { n: 'before' }),
      batch.sign(broken, header(broken), { n: 'broken' }),
      batch.sign(good.key, header(good.key), { n: 'after' }),
    ]);
    assert.equal(failed.status, 'rejected');
    assert.ok(before.status === 'fulfilled' && after.status === 'fulfilled');
    assert.deepEqual(await payloadOf(before.value, good.publicKey), { n: 'before' });
    assert.deepEqual(await payloadOf(after.value, good.publicKey), { n: 'after' });
  });

  it('keeps working for later turns after a batch', async () => {
    const batch = createSigningBatch();
    const { key, publicKey } = es256Key('later');
    await batch.sign(key, header(key), { turn: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(await payloadOf(await batch.sign(key, header(key), { turn: 2 }), publicKey), {
      turn: 2,
    });
  });
});
