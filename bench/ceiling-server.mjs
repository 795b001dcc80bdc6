// The machine's HTTP ceiling: a bare Fastify server on the same core the authorization servers get.
//   GET /json  – a constant small JSON body: the most an HTTP endpoint on this core can serve.
//   GET /sign  – one raw node:crypto ES256 signature per request, returned as a minimal JWT access token:
//                the most a JWT-issuing endpoint can serve with no OAuth logic at all.
// Input: JSON in argv[2] with { host, port }. Prints {"ready":true,...} once listening.

import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import Fastify from 'fastify';

const { host = '127.0.0.1', port } = JSON.parse(process.argv[2] ?? '{}');

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'ceiling' })).toString(
  'base64url',
);

const app = Fastify({ logger: false });

app.get('/json', async () => ({ ok: true }));

app.get('/sign', async () => {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: 'http://ceiling',
    sub: 'bench',
    aud: 'https://jwt-api.bench.test',
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
  };
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return {
    access_token: `${input}.${signature.toString('base64url')}`,
    token_type: 'Bearer',
    expires_in: 300,
  };
});

const address = await app.listen({ host, port });
process.stdout.write(`${JSON.stringify({ ready: true, url: address })}\n`);

const shutdown = async () => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
