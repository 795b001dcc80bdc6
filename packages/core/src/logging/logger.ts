import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

// Anything that can hold a credential is censored wherever it appears in a log object.
const redactPaths = [
  'authorization',
  'password',
  'client_secret',
  'client_assertion',
  'token',
  'access_token',
  'refresh_token',
  'code',
  'code_verifier',
  'device_code',
  'secret',
  '*.authorization',
  '*.password',
  '*.client_secret',
  '*.client_assertion',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.code_verifier',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'res.headers["set-cookie"]',
];

export interface LoggerSettings {
  level?: string;
  name?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to capture lines. */
  destination?: NodeJS.WritableStream;
}

/** Structured JSON logs (pino) with credential-bearing fields redacted. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: settings.name ? { name: settings.name } : {},
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination ? pino(options, settings.destination as pino.DestinationStream) : pino(options);
}

/** A logger that writes nothing, for tests and library use. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
