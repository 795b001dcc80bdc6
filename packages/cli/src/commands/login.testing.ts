import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from '../command.js';
import { readLogins, type StoredLogin, saveLogin } from '../credentials/credentials-file.js';
import { commands, main } from '../main.js';
import type { CliRun } from '../testing/run-cli.js';
import { createLoginCommand } from './login.js';
import type { LoginEnvironment } from './login-environment.js';
import { createLogoutCommand } from './logout.js';
import { createTokenCommand } from './token.js';
import { createWhoamiCommand } from './whoami.js';

export interface LoginSandboxOptions {
  fetch?: typeof fetch;
  stdoutIsTTY?: boolean;
  progressIsTTY?: boolean;
  /**
   * Runs at every poll wait, with everything printed so far (to approve the shown code) and
   * the wait asked for (to move an issuer's clock on by as much).
   */
  onWait?(out: string, ms: number): Promise<void>;
}

/**
 * Runs `gatehouse login`, `whoami`, `token` and `logout` as a person would, with the
 * credentials in a temp folder, a clock the test can move forward, polling waits cut to a few
 * milliseconds, and the browser opener and Ctrl-C replaced by recorders.
 */
export function createLoginSandbox(options: LoginSandboxOptions = {}) {
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-login-'));
  const state = {
    /** Added to the real clock (ms), to make tokens look older. */
    clockOffsetMs: 0,
    opened: [] as string[],
    progress: '',
    interrupt: undefined as (() => void) | undefined,
  };
  /** What the latest run has printed so far (for onWait). */
  let latestOut = '';
  const environment = (): LoginEnvironment => ({
    ...(options.fetch ? { fetch: options.fetch } : {}),
    now: () => Date.now() + state.clockOffsetMs,
    async sleep(ms, signal) {
      await options.onWait?.(latestOut, ms);
      await delay(5, undefined, signal ? { signal } : {});
    },
    openBrowser: (url) => state.opened.push(url),
    stdoutIsTTY: options.stdoutIsTTY ?? false,
    progress: {
      isTTY: options.progressIsTTY ?? false,
      write: (text) => {
        state.progress += text;
      },
    },
    onInterrupt(handler) {
      state.interrupt = handler;
      return () => {
        state.interrupt = undefined;
      };
    },
  });
  const replaced: Command[] = [
    createLoginCommand(environment),
    createWhoamiCommand(environment),
    createTokenCommand(environment),
    createLogoutCommand(environment),
  ];
  const available = [...commands.filter((c) => !replaced.some((r) => r.name === c.name)), ...replaced];
  const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-login-cwd-'));
  const env: NodeJS.ProcessEnv = { GATEHOUSE_CLI_HOME: home };
  return {
    home,
    /** The folder commands run in (put a gatehouse.yaml here). */
    cwd,
    state,
    /** The environment variables commands see; tests may add to it. */
    env,
    async run(...argv: string[]): Promise<CliRun> {
      let out = '';
      let err = '';
      const code = await main(
        argv,
        {
          out: (text) => {
            out += `${text}\n`;
            latestOut = out;
          },
          err: (text) => {
            err += `${text}\n`;
          },
          env,
          cwd,
        },
        available,
      );
      return { code, out, err };
    },
    logins(): Record<string, StoredLogin> {
      return readLogins(home);
    },
    cleanup() {
      rmSync(home, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

export type LoginSandbox = ReturnType<typeof createLoginSandbox>;

/**
 * For a describe block: makes sandboxes with `logins` already stored, and removes each one
 * after its test.
 */
export function sandboxesWithLogins(): (
  logins: StoredLogin | StoredLogin[],
  options?: LoginSandboxOptions,
) => LoginSandbox {
  const sandboxes: LoginSandbox[] = [];
  afterEach(() => {
    for (const sandbox of sandboxes.splice(0)) sandbox.cleanup();
  });
  return (logins, options = {}) => {
    const sandbox = createLoginSandbox(options);
    sandboxes.push(sandbox);
    for (const login of [logins].flat()) saveLogin(sandbox.home, login);
    return sandbox;
  };
}

/** The user code `gatehouse login` printed, or undefined before it has. */
export function shownUserCode(out: string): string | undefined {
  return /and enter the code:\n\n {4}(\S+)\n/.exec(out)?.[1];
}

export const ISSUER = 'https://id.example.test';

export interface FakeIssuerOptions {
  /** Paths answered 404. */
  missing?: string[];
  metadata?: Record<string, unknown>;
  deviceAuthorization?: { status: number; body: Record<string, unknown> };
  /** Device-code token answers, in order; the last repeats. */
  token?: { status: number; body: Record<string, unknown> }[];
  /** Answers grant_type=refresh_token. */
  refresh?(form: URLSearchParams): Promise<Answer> | Answer;
  revocation?: Answer;
  userinfo?: Answer;
}

type Answer = { status: number; body: Record<string, unknown> } | Error;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** An unsigned-looking but well-formed ID token: its signature is not what the CLI checks. */
export function idToken(claims: Record<string, unknown>, alg = 'ES256'): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg, typ: 'JWT' })}.${part({ iss: ISSUER, aud: 'gatehouse-cli', iat: now, exp: now + 300, ...claims })}.c2ln`;
}

/** An issuer that exists only as answers to fetch, recording every request. */
export function fakeIssuer(options: FakeIssuerOptions = {}) {
  const requests: { url: string; form?: URLSearchParams; authorization?: string }[] = [];
  const tokenAnswers = [
    ...(options.token ?? [
      { status: 200, body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 300 } },
    ]),
  ];
  const answer = (result: Answer) => {
    if (result instanceof Error) throw result;
    return json(result.status, result.body);
  };
  const fakeFetch = (async (
    url: string,
    init: { body?: URLSearchParams; headers?: Record<string, string> },
  ) => {
    const path = new URL(url).pathname;
    const form = init.body ? new URLSearchParams(init.body) : undefined;
    const authorization = init.headers?.['authorization'];
    requests.push({ url, ...(form ? { form } : {}), ...(authorization ? { authorization } : {}) });
    if (options.missing?.includes(path)) return json(404, { message: 'not found' });
    switch (path) {
      case '/.well-known/openid-configuration':
      case '/.well-known/oauth-authorization-server':
        return json(200, {
          issuer: ISSUER,
          token_endpoint: `${ISSUER}/token`,
          device_authorization_endpoint: `${ISSUER}/device_authorization`,
          revocation_endpoint: `${ISSUER}/revoke`,
          userinfo_endpoint: `${ISSUER}/userinfo`,
          ...options.metadata,
        });
      case '/device_authorization':
        return json(
          options.deviceAuthorization?.status ?? 200,
          options.deviceAuthorization?.body ?? {
            device_code: 'dc',
            user_code: 'WDJB-MJHT',
            verification_uri: `${ISSUER}/device`,
            verification_uri_complete: `${ISSUER}/device?user_code=WDJB-MJHT`,
            expires_in: 600,
            interval: 5,
          },
        );
      case '/token': {
        if (form?.get('grant_type') === 'refresh_token') {
          return answer(await (options.refresh?.(form) ?? { status: 400, body: { error: 'invalid_grant' } }));
        }
        return answer(tokenAnswers.length > 1 ? tokenAnswers.shift()! : tokenAnswers[0]!);
      }
      case '/revoke':
        if (options.revocation instanceof Error) throw options.revocation;
        return new Response(null, { status: options.revocation?.status ?? 200 });
      case '/userinfo':
        return answer(options.userinfo ?? { status: 401, body: {} });
      default:
        return json(404, {});
    }
  }) as unknown as typeof fetch;
  return { fetch: fakeFetch, requests };
}
