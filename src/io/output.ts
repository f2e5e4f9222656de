/**
 * Where bytes go: a file written atomically (temp file in the same folder + rename, removed on
 * failure or interrupt) or stdout (a closed pipe ends the run quietly: BrokenPipeError).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RebalanceError } from '../core/errors.js';
import { ioErrorFrom } from './fs-errors.js';

/** stdout was closed by the reader (`| head`): not an error, the run ends with exit 0. */
export class BrokenPipeError extends RebalanceError {
  constructor() {
    super('io', 'REBALANCE_EPIPE', 'output pipe closed');
    this.name = 'BrokenPipeError';
  }
}

export interface ByteTarget {
  readonly name: string;
  write(chunk: string | Uint8Array): Promise<void>;
  /** Flushes and, for files, renames the temp file into place. */
  commit(): Promise<void>;
  /** Discards: for files the temp file is removed and any previous file is left untouched. */
  abort(): Promise<void>;
}

/** Temp files currently open, so a signal handler can remove them synchronously. */
export const liveTempFiles = new Set<string>();

function waitWritable(stream: NodeJS.WritableStream & { writableNeedDrain?: boolean }, onError: () => unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', fail);
      resolve();
    };
    const fail = (): void => {
      stream.off('drain', done);
      stream.off('error', fail);
      reject(onError());
    };
    stream.on('drain', done);
    stream.on('error', fail);
  });
}

export async function openFileTarget(path: string): Promise<ByteTarget> {
  const dir = dirname(path);
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (e) {
    throw ioErrorFrom(e, path, 'write');
  }
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioErrorFrom(e, path, 'write');
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  let failure: unknown = null;
  const stream: WriteStream = createWriteStream(tmp, { flags: 'wx', highWaterMark: 1 << 20 });
  liveTempFiles.add(tmp);
  stream.on('error', (e) => {
    failure ??= e;
  });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) => reject(ioErrorFrom(e, path, 'write')));
  }).catch(async (e) => {
    liveTempFiles.delete(tmp);
    await rm(tmp, { force: true });
    throw e;
  });
  const check = (): void => {
    if (failure) throw ioErrorFrom(failure, path, 'write');
  };
  let closed = false;
  const close = (): Promise<void> =>
    new Promise((resolve, reject) => {
      if (closed) return resolve();
      closed = true;
      stream.end((err?: Error | null) => (err ? reject(ioErrorFrom(err, path, 'write')) : resolve()));
    });
  return {
    name: path,
    async write(chunk) {
      check();
      if (!stream.write(chunk)) await waitWritable(stream, () => ioErrorFrom(failure, path, 'write'));
      check();
    },
    async commit() {
      check();
      await close();
      check();
      try {
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        liveTempFiles.delete(tmp);
        throw ioErrorFrom(e, path, 'rename');
      }
      liveTempFiles.delete(tmp);
    },
    async abort() {
      stream.destroy();
      await rm(tmp, { force: true });
      liveTempFiles.delete(tmp);
    },
  };
}

export function stdoutTarget(out: NodeJS.WriteStream = process.stdout): ByteTarget {
  let broken = false;
  let failure: unknown = null;
  const onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') broken = true;
    else failure ??= e;
  };
  out.on('error', onError);
  const check = (): void => {
    if (broken) throw new BrokenPipeError();
    if (failure) throw ioErrorFrom(failure, '<stdout>', 'write');
  };
  return {
    name: '<stdout>',
    async write(chunk) {
      check();
      if (!out.write(chunk)) await waitWritable(out, () => (broken ? new BrokenPipeError() : ioErrorFrom(failure, '<stdout>', 'write')));
      check();
    },
    async commit() {
      check();
      await new Promise<void>((resolve) => {
        if (out.writableLength === 0) return resolve();
        out.once('drain', resolve);
        out.once('error', () => resolve());
      });
      check();
      out.off('error', onError);
    },
    async abort() {
      out.off('error', onError);
    },
  };
}

export async function openTarget(path: string | undefined): Promise<ByteTarget> {
  return path === undefined || path === '-' ? stdoutTarget() : openFileTarget(path);
}
