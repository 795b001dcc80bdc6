import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from '../command.js';
import { readLogins, type StoredLogin } from '../credentials/credentials-file.js';
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
  /** Runs at every poll wait, with everything printed so far (to approve the shown code). */
  onWait?(out: string): Promise<void>;
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
  let out = '';
  const environment = (): LoginEnvironment => ({
    ...(options.fetch ? { fetch: options.fetch } : {}),
    now: () => Date.now() + state.clockOffsetMs,
    async sleep(_ms, signal) {
      await options.onWait?.(out);
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
    state,
    /** The environment variables commands see; tests may add to it. */
    env,
    async run(...argv: string[]): Promise<CliRun> {
      out = '';
      let err = '';
      const code = await main(
        argv,
        {
          out: (text) => {
            out += `${text}\n`;
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

/** The user code `gatehouse login` printed, or undefined before it has. */
export function shownUserCode(out: string): string | undefined {
  return /and enter the code:\n\n {4}(\S+)\n/.exec(out)?.[1];
}
