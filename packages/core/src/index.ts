export { constantTimeEqual, keyedDigest, sha256Base64Url } from './crypto/digest.js';
export { generateRandomToken } from './crypto/random.js';
export {
  invalidClient,
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type OAuthErrorOptions,
} from './errors/oauth-error.js';
export { createLogger, createSilentLogger, type Logger, type LoggerSettings } from './logging/logger.js';
export { type Clock, createManualClock, epochSeconds, type ManualClock, systemClock } from './time/clock.js';
