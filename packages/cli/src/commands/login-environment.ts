import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

/** What `login`, `token`, `whoami` and `logout` use of the world; tests give fakes. */
export interface LoginEnvironment {
  /** Replaces the global fetch. */
  fetch?: typeof fetch;
  /** Milliseconds, like Date.now. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Shows `url` in the default browser; never fails. */
  openBrowser(url: string): void;
  /** Standard output is a terminal (a person is watching, so a QR code and a browser make sense). */
  stdoutIsTTY: boolean;
  /** Standard error, for progress that redraws one line; `isTTY` false means log-friendly output. */
  progress: { isTTY: boolean; write(text: string): void };
  /** Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

export function processLoginEnvironment(): LoginEnvironment {
  return {
    now: Date.now,
    sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : {}),
    openBrowser,
    stdoutIsTTY: process.stdout.isTTY === true,
    progress: { isTTY: process.stderr.isTTY === true, write: (text) => process.stderr.write(text) },
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}

/**
 * Starts the platform's URL opener, detached so it outlives nothing and blocks nothing;
 * a missing opener (a server without a desktop) is not an error, the URL is on screen anyway.
 * Only http(s) URLs: the URL comes from the issuer and must not launch another handler.
 * On Windows, rundll32 rather than `cmd /c start`: cmd would read the `&` in a
 * verification_uri_complete as a command separator.
 */
export function openBrowser(url: string): void {
  if (!/^https?:\/\//i.test(url)) return;
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener: the person opens the URL shown.
  }
}
