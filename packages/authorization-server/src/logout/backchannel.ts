import { epochSeconds } from '@gatehouse/core';
import type { ClientRecord, SessionRecord } from '@gatehouse/store';
import type { IssuerContext } from '../context.js';
import type { SessionEndReason } from '../sessions/session-service.js';
import { issueLogoutToken } from '../tokens/logout-token.js';

/** One logout token on its way to one client's `backchannel_logout_uri`. */
export interface LogoutTokenDelivery {
  readonly clientId: string;
  readonly uri: string;
  readonly logoutToken: string;
  /** Aborted when the client takes longer than the delivery timeout. */
  readonly signal: AbortSignal;
}

/** How one delivery ended, for a caller that reports it (the CLI). */
export interface LogoutDeliveryOutcome {
  readonly clientId: string;
  readonly outcome: 'delivered' | 'failed' | 'timeout';
  /** Why it failed; never the token. */
  readonly error?: string;
}

/** Delivers one logout token: resolves once the client accepted it, rejects otherwise. */
export type DeliverLogoutToken = (delivery: LogoutTokenDelivery) => Promise<void>;

/** How long one client may take to answer; §2.5 leaves it to the OP, a person may be waiting. */
export const BACKCHANNEL_LOGOUT_TIMEOUT_MS = 5000;
/** §2.4: "it is RECOMMENDED that the exp ... be set to a value no more than two minutes" after iat. */
const LOGOUT_TOKEN_LIFETIME = 120;

/**
 * The Back-Channel Logout request (§2.5): "The OP sends an HTTP POST request to the RP's
 * back-channel logout URI ... using the application/x-www-form-urlencoded format" with the
 * one parameter `logout_token`. Redirects are not followed: the token is for that URI alone.
 */
export async function postLogoutToken(delivery: LogoutTokenDelivery): Promise<void> {
  const response = await fetch(delivery.uri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: delivery.logoutToken }).toString(),
    redirect: 'manual',
    signal: delivery.signal,
  });
  // The body is of no interest; reading none frees the connection.
  await response.body?.cancel().catch(() => {});
  // §2.8: "If the logout succeeded, the RP MUST respond with HTTP 200 OK. However, note that
  // some Web frameworks will substitute a 204 No Content response for a 200 OK".
  if (response.status !== 200 && response.status !== 204) {
    throw new Error(`the client answered ${response.status}`);
  }
}

type BackchannelContext = Pick<
  IssuerContext,
  'config' | 'keys' | 'store' | 'findClient' | 'clock' | 'logger' | 'metrics'
>;

/**
 * Tells the clients of a session that it ended (OpenID Connect Back-Channel Logout 1.0): each
 * client the session signed in to that registered a `backchannel_logout_uri` gets a logout
 * token with the session's `sid` and the user's `sub`. Deliveries run in the background and
 * concurrently, each bounded by `timeoutMs`, so a slow or dead client holds up neither the
 * request that ended the session nor the other clients; a failure is logged (without the
 * token) and counted, never thrown. Nothing is retried: a client that missed the message
 * still finds the session's tokens revoked.
 */
export class BackchannelLogout {
  /** How tokens travel; tests replace it to capture them. */
  deliver: DeliverLogoutToken;
  timeoutMs: number;
  private readonly onOutcome: ((outcome: LogoutDeliveryOutcome) => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  /** @param context the issuer's context, read when a session ends (it is built after this). */
  constructor(
    private readonly context: () => BackchannelContext,
    options: {
      deliver?: DeliverLogoutToken;
      timeoutMs?: number;
      /** Told how each delivery ended, besides the log and the metric. */
      onOutcome?: (outcome: LogoutDeliveryOutcome) => void;
    } = {},
  ) {
    this.deliver = options.deliver ?? postLogoutToken;
    this.timeoutMs = options.timeoutMs ?? BACKCHANNEL_LOGOUT_TIMEOUT_MS;
    this.onOutcome = options.onOutcome;
  }

  /** The session service's `onSessionEnded`: starts the notifications and returns at once. */
  readonly sessionEnded = (ended: { sessionId: string; reason: SessionEndReason }): void => {
    const work: Promise<void> = this.notify(ended.sessionId, ended.reason)
      .catch((error: unknown) => {
        this.context().logger.error({ err: error, reason: ended.reason }, 'back-channel logout failed');
      })
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  };

  /** Resolves once every notification started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async notify(sessionId: string, reason: SessionEndReason): Promise<void> {
    const session = await this.context().store.sessions.findById(sessionId);
    if (!session) return;
    const clientIds = await this.context().store.sessions.listClients(sessionId);
    const clients = await Promise.all(clientIds.map((id) => this.context().findClient(id)));
    const targets = clients.filter(
      (client): client is ClientRecord => typeof client?.metadata['backchannel_logout_uri'] === 'string',
    );
    await Promise.allSettled(targets.map((client) => this.notifyClient(client, session, reason)));
  }

  private async notifyClient(client: ClientRecord, session: SessionRecord, reason: string): Promise<void> {
    const uri = client.metadata['backchannel_logout_uri'] as string;
    const log = { event: 'backchannel_logout', clientId: client.clientId, uri, sid: session.sid, reason };
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      // §2.4: sid names the session (always known here, so backchannel_logout_session_required
      // is always met) and sub the user, as in the ID tokens the client got.
      const logoutToken = issueLogoutToken(this.context(), {
        client,
        subject: session.userId,
        sid: session.sid,
        issuedAt: epochSeconds(this.context().clock),
        lifetime: LOGOUT_TOKEN_LIFETIME,
      });
      // The race bounds the wait even for a delivery function that ignores its signal.
      await Promise.race([
        this.deliver({ clientId: client.clientId, uri, logoutToken, signal: controller.signal }),
        timeout,
      ]);
      this.context().metrics.backchannelLogouts.inc({ outcome: 'delivered' });
      this.context().logger.info(log, 'back-channel logout delivered');
      this.onOutcome?.({ clientId: client.clientId, outcome: 'delivered' });
    } catch (error) {
      const outcome = controller.signal.aborted ? 'timeout' : 'failed';
      this.context().metrics.backchannelLogouts.inc({ outcome });
      // The message only: an error object could carry the request, and with it the token.
      this.context().logger.warn(
        { ...log, outcome, error: describe(error) },
        'back-channel logout not delivered',
      );
      this.onOutcome?.({ clientId: client.clientId, outcome, error: describe(error) });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** What went wrong, for the log: the message and a network error's code, nothing that could hold the token. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
