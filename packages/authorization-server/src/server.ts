import type { ServerOptions as HttpsServerOptions } from 'node:https';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { IssuerContext } from './context.js';
import { accountEndpoint } from './endpoints/account.js';
import { authorizationEndpoint } from './endpoints/authorize.js';
import { consentEndpoint } from './endpoints/consent.js';
import { deviceVerificationEndpoint } from './endpoints/device.js';
import { deviceAuthorizationEndpoint } from './endpoints/device-authorization.js';
import { metadataEndpoint } from './endpoints/discovery.js';
import { healthEndpoints } from './endpoints/health.js';
import { introspectionEndpoint } from './endpoints/introspect.js';
import { jwksEndpoint } from './endpoints/jwks.js';
import { loginEndpoint } from './endpoints/login.js';
import { logoutEndpoint } from './endpoints/logout.js';
import { rejectOtherMethods } from './endpoints/method-not-allowed.js';
import { pushedAuthorizationRequestEndpoint } from './endpoints/par.js';
import { revocationEndpoint } from './endpoints/revoke.js';
import { tokenEndpoint } from './endpoints/token.js';
import { userinfoEndpoint } from './endpoints/userinfo.js';
import { registerErrorHandler } from './http/error-handler.js';
import { registerFormParser } from './http/form-params.js';
import { lazyChildLogger } from './http/lazy-request-logger.js';
import { registerRequestLog } from './http/request-log.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerClientCertificates } from './tls/request-certificate.js';

export interface IssuerAppOptions {
  /** Serve HTTPS with these options (the mutual-TLS listener, RFC 8705). */
  https?: HttpsServerOptions;
}

/** The issuer's path, '' for an issuer at the root of its host (config validation forbids a trailing slash). */
export function issuerPathOf(issuer: string): string {
  return new URL(issuer).pathname.replace(/\/$/, '');
}

/** What the issuer's app and the management app share: logging and bounded waits. */
function commonServerOptions(ctx: IssuerContext) {
  return {
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // One line per request comes from http/request-log.ts, without query strings.
    logController: new LogController({ disableRequestLogging: true }),
    // Bounded waits so a slow or stalled client can never hold a connection open forever.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    return503OnClosing: true,
  };
}

/**
 * The app of the management listener (`management` in the config): the probes and the
 * metrics, away from the public listener, so that a proxy in front of the issuer never
 * exposes them.
 */
export function buildManagementApp(ctx: IssuerContext): FastifyInstance {
  const app = Fastify(commonServerOptions(ctx)) as unknown as FastifyInstance;
  registerErrorHandler(app);
  registerSecurityHeaders(app);
  healthEndpoints(app, ctx);
  return app;
}

/** Builds the issuer's HTTP app around a ready context. Never listens: tests use `inject()`. */
export function buildIssuerApp(ctx: IssuerContext, options: IssuerAppOptions = {}): FastifyInstance {
  // An https app differs from an http one only in its server's type, which no route touches.
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    ...commonServerOptions(ctx),
    childLoggerFactory: (logger, bindings, options) =>
      lazyChildLogger(logger, bindings, options as Record<string, unknown>),
    bodyLimit: ctx.config.limits.body_bytes,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  }) as unknown as FastifyInstance;
  registerFormParser(app);
  registerErrorHandler(app);
  registerSecurityHeaders(app);
  registerRequestLog(app, ctx.metrics, ctx.config.request_logging);
  registerClientCertificates(app, ctx.mtls);

  // Probes and metrics are for the operator's tooling, at the root whatever the issuer, and
  // only on the management listener when there is one.
  if (!ctx.config.management) healthEndpoints(app, ctx);
  const issuerPath = issuerPathOf(ctx.config.issuer);
  // RFC 8414 §3.1: the metadata of an issuer with a path is at the well-known URI with that
  // path appended ("inserted between the host component and the path component").
  metadataEndpoint(app, ctx, `/.well-known/oauth-authorization-server${issuerPath}`);
  // Every endpoint URL is the issuer plus a path, so an issuer with a path serves under it.
  app.register(
    async (issuer) => {
      // OpenID Connect Discovery §4.1: the issuer with /.well-known/openid-configuration appended.
      metadataEndpoint(issuer, ctx, '/.well-known/openid-configuration');
      jwksEndpoint(issuer, ctx);
      tokenEndpoint(issuer, ctx);
      introspectionEndpoint(issuer, ctx);
      revocationEndpoint(issuer, ctx);
      userinfoEndpoint(issuer, ctx);
      authorizationEndpoint(issuer, ctx);
      pushedAuthorizationRequestEndpoint(issuer, ctx);
      loginEndpoint(issuer, ctx);
      logoutEndpoint(issuer, ctx);
      consentEndpoint(issuer, ctx);
      accountEndpoint(issuer, ctx);
      deviceAuthorizationEndpoint(issuer, ctx);
      deviceVerificationEndpoint(issuer, ctx);
      for (const url of ['/token', '/introspect', '/revoke', '/par', '/device_authorization'])
        rejectOtherMethods(issuer, url, 'POST');
    },
    { prefix: issuerPath },
  );
  return app;
}
