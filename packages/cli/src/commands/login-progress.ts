import type { WaitReason } from '../device-client/poll-for-tokens.js';
import type { LoginEnvironment } from './login-environment.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 120;

export interface WaitingDisplay {
  /** The poller is about to wait `ms` for `reason`. */
  update(ms: number, reason: WaitReason): void;
  /** Clears the line (on a terminal); call before printing the outcome. */
  stop(): void;
}

/**
 * Progress while the person approves: on a terminal one line redrawn in place (a spinner and
 * the time left); in a log (not a TTY) a single line, plus one per retry when the issuer
 * cannot be reached, so CI output stays short.
 */
export function waitingDisplay(
  env: Pick<LoginEnvironment, 'progress' | 'now'>,
  expiresAtMs: number,
): WaitingDisplay {
  const { progress } = env;
  let reason: WaitReason = 'authorization_pending';
  if (!progress.isTTY) {
    progress.write('Waiting for approval...\n');
    return {
      update(ms, next) {
        if (next === 'unreachable')
          progress.write(`The issuer cannot be reached; trying again in ${Math.ceil(ms / 1000)} s\n`);
      },
      stop() {},
    };
  }
  let frame = 0;
  const draw = () => {
    const left = Math.max(0, Math.round((expiresAtMs - env.now()) / 1000));
    const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    const status =
      reason === 'unreachable'
        ? 'The issuer cannot be reached; retrying'
        : 'Waiting for you to approve in the browser';
    progress.write(`\r${FRAMES[frame++ % FRAMES.length]} ${status} (the code expires in ${clock})\u001b[K`);
  };
  const timer = setInterval(draw, FRAME_MS);
  timer.unref();
  draw();
  return {
    update(_ms, next) {
      reason = next;
    },
    stop() {
      clearInterval(timer);
      progress.write('\r\u001b[K');
    },
  };
}
