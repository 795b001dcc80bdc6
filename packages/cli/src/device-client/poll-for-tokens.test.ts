import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceTokenRequest } from './device-grant.js';
import { connect } from './issuer-connection.js';
import { DeviceLoginError, isUnreachable, pollForTokens, type WaitReason } from './poll-for-tokens.js';

const ISSUER = 'https://id.example.test';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

type Answer = { status: number; body: Record<string, unknown> } | Error;

const pending = { status: 400, body: { error: 'authorization_pending' } };
const slowDown = { status: 400, body: { error: 'slow_down' } };
const tokens = { status: 200, body: { access_token: 'at', token_type: 'Bearer', expires_in: 300 } };

/**
 * A token endpoint answering from a script, and a clock that moves only when the poller
 * sleeps: every wait and every request time is exact and the test never waits.
 */
function scriptedPoll(
  answers: Answer[],
  options: { interval?: number; expiresIn?: number; abortAfterWaits?: number } = {},
) {
  let clock = 1_000_000;
  const waits: number[] = [];
  const reasons: WaitReason[] = [];
  const requests: { at: number; form: URLSearchParams }[] = [];
  const controller = new AbortController();
  const fakeFetch = (async (url: string, init: { body: URLSearchParams }) => {
    assert.equal(url, `${ISSUER}/token`);
    requests.push({ at: clock - 1_000_000, form: new URLSearchParams(init.body) });
    const answer = answers.shift();
    if (answer === undefined) throw new Error('the script has no answer left');
    if (answer instanceof Error) throw answer;
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  }) as unknown as typeof fetch;
  const connection = connect(
    {
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/token`,
      device_authorization_endpoint: `${ISSUER}/device_authorization`,
    },
    'gatehouse-cli',
    { fetch: fakeFetch },
  );
  const run = () =>
    pollForTokens({
      requestTokens: deviceTokenRequest(connection, 'the-device-code'),
      interval: options.interval,
      expiresIn: options.expiresIn ?? 600,
      now: () => clock,
      async sleep(ms, signal) {
        if (options.abortAfterWaits !== undefined && waits.length === options.abortAfterWaits)
          controller.abort();
        if (signal?.aborted) throw signal.reason;
        waits.push(ms);
        clock += ms;
      },
      signal: controller.signal,
      onWait: (_ms, reason) => reasons.push(reason),
    });
  return { run, waits, reasons, requests };
}

async function rejectsWith(promise: Promise<unknown>, reason: DeviceLoginError['reason'], message: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DeviceLoginError, String(error));
    assert.equal(error.reason, reason);
    assert.match(error.message, message);
    return true;
  });
}

describe('polling the token endpoint for a device code (RFC 8628 §3.4, §3.5)', () => {
  it('waits the interval before every request and repeats on authorization_pending', async () => {
    const poll = scriptedPoll([pending, pending, tokens], { interval: 3 });
    const response = await poll.run();
    assert.equal(response.access_token, 'at');
    assert.deepEqual(poll.waits, [3000, 3000, 3000]);
    assert.deepEqual(
      poll.requests.map((r) => r.at),
      [3000, 6000, 9000],
    );
    const form = poll.requests[0]!.form;
    assert.equal(form.get('grant_type'), DEVICE_GRANT);
    assert.equal(form.get('device_code'), 'the-device-code');
    assert.equal(form.get('client_id'), 'gatehouse-cli');
  });

  it('polls every 5 seconds when the response has no interval (§3.2)', async () => {
    const poll = scriptedPoll([pending, tokens]);
    await poll.run();
    assert.deepEqual(poll.waits, [5000, 5000]);
  });

  it('adds 5 seconds to the interval on slow_down, for that and every later request', async () => {
    const poll = scriptedPoll([slowDown, pending, slowDown, pending, tokens], { interval: 5 });
    await poll.run();
    assert.deepEqual(poll.waits, [5000, 10_000, 10_000, 15_000, 15_000]);
    assert.deepEqual(poll.reasons, [
      'authorization_pending',
      'slow_down',
      'authorization_pending',
      'slow_down',
      'authorization_pending',
    ]);
  });

  it('ends with access_denied when the person denies, without polling again', async () => {
    const poll = scriptedPoll([pending, { status: 400, body: { error: 'access_denied' } }]);
    await rejectsWith(poll.run(), 'access_denied', /denied at the verification page; run 'gatehouse login'/);
    assert.equal(poll.requests.length, 2);
  });

  it('ends with expired_token when the issuer says the code expired', async () => {
    const poll = scriptedPoll([pending, { status: 400, body: { error: 'expired_token' } }]);
    await rejectsWith(
      poll.run(),
      'expired_token',
      /code expired before it was approved; run 'gatehouse login' again/,
    );
  });

  it('stops at expires_in on its own, without a request after the code has expired', async () => {
    const poll = scriptedPoll([pending, pending, pending], { interval: 5, expiresIn: 12 });
    await rejectsWith(poll.run(), 'expired_token', /code expired/);
    assert.deepEqual(poll.waits, [5000, 5000, 2000]);
    assert.equal(poll.requests.length, 2);
  });

  it('doubles the wait on each network failure, timeout or 5xx, and returns to the interval after', async () => {
    const refused = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const unavailable = { status: 503, body: { message: 'maintenance' } };
    const poll = scriptedPoll([refused, timeout, unavailable, pending, tokens], {
      interval: 5,
      expiresIn: 3600,
    });
    await poll.run();
    assert.deepEqual(poll.waits, [5000, 10_000, 20_000, 40_000, 5000]);
    assert.deepEqual(poll.reasons, [
      'authorization_pending',
      'unreachable',
      'unreachable',
      'unreachable',
      'authorization_pending',
    ]);
  });

  it('backs off to at most five minutes between attempts', async () => {
    const down = () => new TypeError('fetch failed');
    const poll = scriptedPoll([down(), down(), down(), down(), down(), down(), down(), tokens], {
      interval: 5,
      expiresIn: 7200,
    });
    await poll.run();
    assert.deepEqual(poll.waits, [5000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('gives up on another error from the token endpoint, naming it', async () => {
    const poll = scriptedPoll([
      { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } },
    ]);
    await rejectsWith(poll.run(), 'refused', /invalid_client \(client authentication failed\)/);
    assert.equal(poll.requests.length, 1);
  });

  it('stops at once when cancelled (Ctrl-C)', async () => {
    const poll = scriptedPoll([pending, pending, tokens], { abortAfterWaits: 2 });
    await rejectsWith(poll.run(), 'cancelled', /login cancelled/);
    assert.equal(poll.requests.length, 2);
  });

  it('tells unreachable from refused', () => {
    assert.equal(isUnreachable(new TypeError('fetch failed')), true);
    assert.equal(isUnreachable(new Error('unexpected')), false);
    assert.equal(
      isUnreachable(Object.assign(new TypeError('bad argument'), { code: 'ERR_INVALID_ARG_TYPE' })),
      false,
    );
  });
});
