import { OperationProcessingError, ResponseBodyError, type TokenEndpointResponse } from 'oauth4webapi';

export type DeviceLoginFailure = 'access_denied' | 'expired_token' | 'cancelled' | 'refused';

/** The device grant ended without tokens; the message says what happened and what to do. */
export class DeviceLoginError extends Error {
  constructor(
    readonly reason: DeviceLoginFailure,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceLoginError';
  }
}

export type WaitReason = 'authorization_pending' | 'slow_down' | 'unreachable';

export interface PollOptions {
  /** One Device Access Token Request (RFC 8628 §3.4); rejects as oauth4webapi does. */
  requestTokens(): Promise<TokenEndpointResponse>;
  /** `interval` of the device authorization response, in seconds. */
  interval?: number | undefined;
  /** `expires_in` of the device authorization response, in seconds. */
  expiresIn: number;
  /** Milliseconds, like Date.now. */
  now(): number;
  /** Waits `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  signal?: AbortSignal | undefined;
  /** Told before every wait, for progress output. */
  onWait?(ms: number, reason: WaitReason): void;
}

/** RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default." */
const DEFAULT_INTERVAL_S = 5;
/** RFC 8628 §3.5: on slow_down "the interval MUST be increased by 5 seconds". */
const SLOW_DOWN_STEP_S = 5;
/** However often the issuer was unreachable, ask again at least this often. */
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Polls the token endpoint until the person at the verification page approves or denies the
 * request, or the code expires (RFC 8628 §3.4, §3.5).
 */
export async function pollForTokens(options: PollOptions): Promise<TokenEndpointResponse> {
  const { now, sleep, signal } = options;
  const deadline = now() + options.expiresIn * 1000;
  let intervalMs = (options.interval ?? DEFAULT_INTERVAL_S) * 1000;
  let waitMs = intervalMs;
  let reason: WaitReason = 'authorization_pending';
  let failures = 0;
  for (;;) {
    // §3.4: the client polls no more often than `interval`, so it waits before every request,
    // the first included: nobody approves within a second of the code being shown.
    const remaining = deadline - now();
    if (remaining <= 0) throw expired();
    options.onWait?.(Math.min(waitMs, remaining), reason);
    try {
      await sleep(Math.min(waitMs, remaining), signal);
    } catch (error) {
      if (signal?.aborted) throw cancelled();
      throw error;
    }
    if (now() >= deadline) throw expired();
    try {
      return await options.requestTokens();
    } catch (error) {
      if (signal?.aborted) throw cancelled();
      if (error instanceof ResponseBodyError) {
        switch (error.error) {
          case 'authorization_pending':
            failures = 0;
            // §3.5: "the client SHOULD repeat the access token request".
            waitMs = intervalMs;
            reason = 'authorization_pending';
            continue;
          case 'slow_down':
            failures = 0;
            // §3.5: "... increased by 5 seconds for this and all subsequent requests".
            intervalMs += SLOW_DOWN_STEP_S * 1000;
            waitMs = intervalMs;
            reason = 'slow_down';
            continue;
          case 'access_denied':
            throw new DeviceLoginError(
              'access_denied',
              "the sign-in request was denied at the verification page; run 'gatehouse login' to try again",
            );
          case 'expired_token':
            throw expired();
          default:
            if (isTransientStatus(error.status)) break;
            throw new DeviceLoginError(
              'refused',
              `the issuer refused the device code: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`,
            );
        }
      } else if (!isUnreachable(error)) {
        throw error;
      }
      // §3.5: "On encountering a connection timeout, clients MUST unilaterally reduce their
      // polling frequency before retrying. The use of an exponential backoff algorithm to
      // achieve this, such as doubling the polling interval on each such connection timeout,
      // is RECOMMENDED." A refused connection or a 5xx gets the same treatment.
      failures += 1;
      waitMs = Math.min(intervalMs * 2 ** failures, MAX_BACKOFF_MS);
      reason = 'unreachable';
    }
  }
}

/** The issuer could not answer now but may later: no connection, a timeout, a 5xx or a 429. */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof OperationProcessingError) {
    return error.cause instanceof Response && isTransientStatus(error.cause.status);
  }
  if (error instanceof ResponseBodyError) return isTransientStatus(error.status);
  // fetch rejects with a bare TypeError when there is no connection, and AbortSignal.timeout
  // with a DOMException named TimeoutError. oauth4webapi's own TypeErrors (bad arguments)
  // carry a code and are not worth retrying.
  if (error instanceof TypeError) return (error as { code?: unknown }).code === undefined;
  return error instanceof Error && error.name === 'TimeoutError';
}

function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

function expired(): DeviceLoginError {
  return new DeviceLoginError(
    'expired_token',
    "the code expired before it was approved; run 'gatehouse login' again for a new one",
  );
}

function cancelled(): DeviceLoginError {
  return new DeviceLoginError('cancelled', 'login cancelled');
}
