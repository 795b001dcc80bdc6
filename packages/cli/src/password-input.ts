import type { EventEmitter } from 'node:events';

/**
 * Where `users add` gets a password from. Never the command line: arguments end up in shell
 * history and in every process listing.
 */
export interface PasswordInput {
  /** True when standard input is a terminal a person can type into. */
  readonly interactive: boolean;
  /** Asks on the terminal with echo off and resolves to the line typed. */
  prompt(question: string): Promise<string>;
  /** All of standard input (for --password-stdin). */
  readAll(): Promise<string>;
}

/** The parts of a TTY ReadStream that reading a hidden line needs. */
export interface HiddenLineInput extends EventEmitter {
  isRaw?: boolean;
  setRawMode(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** The process's standard input, prompting on standard error so stdout stays clean for --json. */
export function processPasswordInput(): PasswordInput {
  const stdin = process.stdin;
  return {
    interactive: stdin.isTTY === true,
    prompt: (question) => readHiddenLine(stdin, process.stderr, question),
    async readAll() {
      const chunks: Buffer[] = [];
      for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/**
 * Reads one line in raw mode, so the terminal echoes nothing: Enter ends it, Backspace
 * deletes a character, Ctrl-U the whole line, Ctrl-C (or Ctrl-D on an empty line) cancels.
 * Escape sequences (arrow keys) and other control characters are ignored.
 */
export function readHiddenLine(
  input: HiddenLineInput,
  output: { write(text: string): unknown },
  question: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const wasRaw = input.isRaw === true;
    let line: string[] = [];
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(line.join(''));
    };
    const onData = (chunk: string | Buffer) => {
      const text = String(chunk);
      // A terminal sends a key's escape sequence as one chunk.
      if (text.startsWith('\u001b')) return;
      for (const char of text) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || (char === '\u0004' && line.length === 0)) {
          return finish(new Error('cancelled'));
        }
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
        else if (char === '\u0015') line = [];
        else if (char >= ' ') line.push(char);
      }
    };
    output.write(question);
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}

/** What --password-stdin read, without the one line break that `echo` or a file adds. */
export function passwordFromStdin(text: string): string {
  return text.replace(/\r?\n$/, '');
}
