// Signature throughput on the server core, with no HTTP around it: jose's SignJWT (what a JWT-issuing server
// built on jose pays per token) and a raw node:crypto ES256 sign (the floor under any Node implementation).
// Input: JSON on stdin { seconds, concurrency }. Prints a JSON result line.

import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';

let text = '';
for await (const chunk of process.stdin) text += chunk;
const { seconds = 3, concurrency = 50 } = JSON.parse(text || '{}');

const claims = () => {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'http://ceiling',
    sub: 'bench',
    aud: 'https://jwt-api.bench.test',
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
  };
};

/** Runs `fn` (async) with `inFlight` calls outstanding until `ms` elapse; returns completed calls per second. */
async function rateAsync(fn, ms, inFlight) {
  const end = performance.now() + ms;
  let count = 0;
  const lane = async () => {
    while (performance.now() < end) {
      await fn();
      count++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, lane));
  return count / ((performance.now() - start) / 1000);
}

function rateSync(fn, ms) {
  const start = performance.now();
  const end = start + ms;
  let count = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) fn();
    count += 50;
  }
  return count / ((performance.now() - start) / 1000);
}

const { privateKey: joseKey } = await generateKeyPair('ES256');
const joseSign = () =>
  new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k' }).sign(joseKey);

const { privateKey: nodeKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'k' })).toString('base64url');
const nodeSign = () => {
  const input = `${header}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: nodeKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
};

const ms = seconds * 1000;
// Short warm-ups so JIT and key setup are not measured.
await rateAsync(joseSign, 300, concurrency);
const jose = await rateAsync(joseSign, ms, concurrency);
rateSync(nodeSign, 300);
const node = rateSync(nodeSign, ms);

process.stdout.write(
  `${JSON.stringify({ joseSignsPerSec: jose, nodeSignsPerSec: node, concurrency, seconds })}\n`,
);
