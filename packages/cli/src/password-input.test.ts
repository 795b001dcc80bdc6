import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { type HiddenLineInput, passwordFromStdin, readHiddenLine } from './password-input.js';

/** A terminal that records what was done to it and lets a test type. */
class FakeTerminal extends EventEmitter implements HiddenLineInput {
  isRaw = false;
  modes: boolean[] = [];
  paused = true;
  written = '';

  setRawMode(mode: boolean) {
    this.isRaw = mode;
    this.modes.push(mode);
  }
  setEncoding() {}
  resume() {
    this.paused = false;
  }
  pause() {
    this.paused = true;
  }
  type(...chunks: string[]) {
    for (const chunk of chunks) this.emit('data', chunk);
  }
  readonly output = { write: (text: string) => (this.written += text) };
}

describe('readHiddenLine', () => {
  it('reads a line in raw mode, echoing nothing, and restores the terminal', async () => {
    const tty = new FakeTerminal();
    const line = readHiddenLine(tty, tty.output, 'Password: ');
    assert.equal(tty.isRaw, true);
    tty.type('correct horse', ' battery staple\r');
    assert.equal(await line, 'correct horse battery staple');
    assert.equal(tty.written, 'Password: \n');
    assert.deepEqual(tty.modes, [true, false]);
    assert.equal(tty.paused, true);
    assert.equal(tty.listenerCount('data'), 0);
  });

  it('ends at a newline too, and ignores what follows it', async () => {
    const tty = new FakeTerminal();
    const line = readHiddenLine(tty, tty.output, '');
    tty.type('secret\nleftover');
    assert.equal(await line, 'secret');
  });

  it('deletes with Backspace (whole characters) and clears with Ctrl-U', async () => {
    const tty = new FakeTerminal();
    const line = readHiddenLine(tty, tty.output, '');
    tty.type('abc🔑', '\u007f', '\b', 'd', '\u0015', 'xyz', '\u007f\r');
    assert.equal(await line, 'xy');
  });

  it('ignores arrow keys and other control characters', async () => {
    const tty = new FakeTerminal();
    const line = readHiddenLine(tty, tty.output, '');
    tty.type('pa', '\u001b[D', '\u0001ss\u0004', '\r');
    assert.equal(await line, 'pass');
  });

  it('is cancelled by Ctrl-C, restoring the terminal', async () => {
    const tty = new FakeTerminal();
    const line = readHiddenLine(tty, tty.output, '');
    tty.type('half', '\u0003');
    await assert.rejects(line, { message: 'cancelled' });
    assert.deepEqual(tty.modes, [true, false]);
  });

  it('is cancelled by Ctrl-D on an empty line', async () => {
    const tty = new FakeTerminal();
    const line = readHiddenLine(tty, tty.output, '');
    tty.type('\u0004');
    await assert.rejects(line, { message: 'cancelled' });
  });

  it('leaves a terminal that was already raw in raw mode', async () => {
    const tty = new FakeTerminal();
    tty.isRaw = true;
    const line = readHiddenLine(tty, tty.output, '');
    tty.type('x\r');
    await line;
    assert.equal(tty.isRaw, true);
  });
});

describe('passwordFromStdin', () => {
  it('drops one trailing line break and keeps everything else', () => {
    assert.equal(passwordFromStdin('secret\n'), 'secret');
    assert.equal(passwordFromStdin('secret\r\n'), 'secret');
    assert.equal(passwordFromStdin('secret'), 'secret');
    assert.equal(passwordFromStdin(' secret \n\n'), ' secret \n');
  });
});
