/**
 * Reads a small text file (a model) whole, with a size limit, in a way a signal can always stop:
 * a named pipe is opened without blocking and read as a libuv pipe (a blocking open would hold a
 * thread-pool thread until a writer appears, and the process could not end on SIGINT/SIGTERM).
 */
import { constants as fsConstants, openSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { IoError } from '../core/errors.js';
import { ioErrorFrom } from './fs-errors.js';

/** `tooBig` makes the error for a file over `maxBytes` (default: an io error). */
export async function readTextFile(
  path: string,
  maxBytes: number,
  options: { signal?: AbortSignal; tooBig?: (size: number) => Error } = {},
): Promise<string> {
  const { signal } = options;
  const tooBig = (size: number): Error =>
    options.tooBig?.(size) ?? new IoError('REBALANCE_FILE_TOO_BIG', `'${path}' is ${size} bytes or more, more than the ${maxBytes} allowed here`, { where: { file: path } });
  signal?.throwIfAborted();
  let fifo = false;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.isFile() && st.size > maxBytes) throw tooBig(st.size);
    fifo = st.isFIFO();
    if (!fifo) return await readFile(path, { encoding: 'utf8', signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError' || e instanceof Error && !(e as NodeJS.ErrnoException).code) throw e;
    throw ioErrorFrom(e, path, 'read');
  }
  let sock: Socket;
  try {
    sock = new Socket({ fd: openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK), readable: true, writable: false });
  } catch (e) {
    throw ioErrorFrom(e, path, 'open');
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (e: unknown, text?: string): void => {
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      if (e) reject(e);
      else resolve(text!);
    };
    const onAbort = (): void => finish(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.on('data', (b: Buffer) => {
      size += b.length;
      if (size > maxBytes) return finish(tooBig(size));
      chunks.push(b);
    });
    sock.on('end', () => finish(null, Buffer.concat(chunks).toString('utf8')));
    sock.on('error', (e) => finish(ioErrorFrom(e, path, 'read')));
  });
}
