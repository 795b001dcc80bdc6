import type { RouteKind } from './probe.js';

/**
 * Every route the issuer serves and how it answers. The sweep fails when the app serves a
 * route missing here, so a new endpoint cannot escape it.
 */
export const ROUTES: Record<string, RouteKind> = {
  'GET /.well-known/oauth-authorization-server': 'json',
  'HEAD /.well-known/oauth-authorization-server': 'json',
  'GET /.well-known/openid-configuration': 'json',
  'HEAD /.well-known/openid-configuration': 'json',
  'GET /jwks': 'json',
  'HEAD /jwks': 'json',
  'GET /healthz': 'data',
  'HEAD /healthz': 'data',
  'GET /readyz': 'data',
  'HEAD /readyz': 'data',
  'GET /metrics': 'data',
  'HEAD /metrics': 'data',
  'GET /userinfo': 'json',
  'HEAD /userinfo': 'json',
  'POST /userinfo': 'json',
  'GET /authorize': 'page',
  'HEAD /authorize': 'page',
  'POST /authorize': 'page',
  'GET /login': 'page',
  'HEAD /login': 'page',
  'POST /login': 'page',
  'GET /consent': 'page',
  'HEAD /consent': 'page',
  'POST /consent': 'page',
  'GET /logout': 'page',
  'HEAD /logout': 'page',
  'POST /logout': 'page',
  'GET /account': 'page',
  'HEAD /account': 'page',
  'POST /account/sessions/end': 'page',
  'POST /account/grants/revoke': 'page',
  'GET /device': 'page',
  'HEAD /device': 'page',
  'POST /device': 'page',
  'POST /device/login': 'page',
  'POST /device/decision': 'page',
};
/** The POST-only API endpoints: every other method is 405 with Allow: POST. */
export const POST_ONLY = ['/token', '/introspect', '/revoke', '/par', '/device_authorization'];
for (const path of POST_ONLY) {
  ROUTES[`POST ${path}`] = 'json';
  for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH']) ROUTES[`${method} ${path}`] = 'json';
}
