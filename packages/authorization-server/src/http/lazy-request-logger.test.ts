import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { lazyChildLogger } from './lazy-request-logger.js';

function recordingParent() {
  const lines: unknown[][] = [];
  let children = 0;
  const make = (bindings: Record<string, unknown>): FastifyBaseLogger =>
    ({
      level: 'info',
      child: (b: Record<string, unknown>) => {
        children++;
        return make({ ...bindings, ...b });
      },
      info: (...args: unknown[]) => lines.push([bindings, ...args]),
      error: () => {},
      warn: () => {},
      debug: () => {},
      fatal: () => {},
      trace: () => {},
      silent: () => {},
    }) as unknown as FastifyBaseLogger;
  return { parent: make({}), lines, children: () => children };
}

describe('lazyChildLogger', () => {
  it('builds no child until something is logged', () => {
    const { parent, children } = recordingParent();
    const logger = lazyChildLogger(parent, { reqId: 'req-1' }, {});
    assert.equal(typeof logger.info, 'function');
    assert.equal(logger.level, 'info');
    assert.equal(children(), 0);
  });

  it('logs through one child bound to the request', () => {
    const { parent, lines, children } = recordingParent();
    const logger = lazyChildLogger(parent, { reqId: 'req-1' }, {});
    logger.info({ a: 1 }, 'first');
    logger.info('second');
    assert.equal(children(), 1);
    assert.deepEqual(lines, [
      [{ reqId: 'req-1' }, { a: 1 }, 'first'],
      [{ reqId: 'req-1' }, 'second'],
    ]);
  });
});
