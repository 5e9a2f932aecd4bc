import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import type { ReadStream } from 'node:tty';

/** More than any valid password (1024 bytes): past this, stop reading and let validation refuse it. */
const LINE_LIMIT_BYTES = 64 * 1024;

/** Ctrl-C at a hidden prompt: raw mode turns it into a byte instead of SIGINT. */
export class PromptInterruptedError extends Error {
  override name = 'PromptInterruptedError';

  constructor() {
    super('interrupted');
  }
}

/**
 * The first line of a stream without its line ending (\n or \r\n), as `docker login
 * --password-stdin` reads it. Nothing after the first line is read.
 */
export async function readFirstLine(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    const newline = buffer.indexOf(0x0a);
    chunks.push(newline === -1 ? buffer : buffer.subarray(0, newline));
    size += buffer.length;
    if (newline !== -1 || size > LINE_LIMIT_BYTES) {
      break;
    }
  }
  const line = Buffer.concat(chunks).toString('utf8');
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/**
 * Asks each question in turn on a terminal and reads the answers without echoing anything.
 * The terminal stays in raw mode for all of them, so what is typed ahead of a question is kept.
 * Enter (or Ctrl-D) ends an answer, Backspace deletes a character, Ctrl-U the whole answer,
 * Ctrl-C rejects with PromptInterruptedError; other control characters are ignored.
 */
export function askHidden(
  questions: readonly string[],
  input: ReadStream,
  output: Writable,
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    const answers: string[] = [];
    let current: string[] = [];
    let afterCarriageReturn = false;

    const release = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    };
    const onData = (chunk: Buffer) => {
      // Code points, not UTF-16 units: Backspace deletes a whole emoji.
      for (const char of decoder.write(chunk)) {
        const lineFeedOfCrLf = char === '\n' && afterCarriageReturn;
        afterCarriageReturn = char === '\r';
        if (lineFeedOfCrLf) {
          continue;
        }
        if (char === '\r' || char === '\n' || char === '\u0004') {
          answers.push(current.join(''));
          current = [];
          output.write('\n');
          if (answers.length === questions.length) {
            release();
            resolve(answers);
            return;
          }
          output.write(questions[answers.length]);
        } else if (char === '\u0003') {
          release();
          output.write('\n');
          reject(new PromptInterruptedError());
          return;
        } else if (char === '\u007f' || char === '\b') {
          current.pop();
        } else if (char === '\u0015') {
          current = [];
        } else if (char >= ' ') {
          current.push(char);
        }
      }
    };

    // Raw mode first: a key pressed as soon as the question shows must not be echoed.
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
    output.write(questions[0]);
  });
}
