/**
 * Where bytes go: a file written atomically (temp file in the same folder + rename, removed on
 * failure or interrupt) or stdout (a closed pipe ends the run quietly: BrokenPipeError).
 */
import { randomUUID } from 'node:crypto';
import { constants as fsConstants, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { chmod, lstat, realpath, rename, rm, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
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

/** Waits for a named pipe's reader, ended by interruptOutputs. */
const outputWaits = new Set<(reason: unknown) => void>();
/** Set by interruptOutputs: why the run was interrupted. */
let interruption: { reason: unknown } | null = null;
/** True once a file target of this process was committed (renamed into place). */
let committedOnce = false;

/**
 * The run was interrupted (SIGINT/SIGTERM; the CLI's signal handler calls this): every wait for a
 * named pipe's reader ends with `reason`, and a file target not yet committed is discarded at
 * its commit, unless an output of the run was already committed. The rule (README, exit codes):
 * once the output is committed the run succeeded (exit 0); before, 130 and no output.
 */
export function interruptOutputs(reason: unknown): void {
  interruption ??= { reason };
  for (const stop of [...outputWaits]) stop(reason);
}

/** For tests: forgets an interruption (interruptOutputs) and earlier commits. */
export function resetOutputInterruption(): void {
  interruption = null;
  committedOnce = false;
}

/** How often an output named pipe is tried while it has no reader. */
const FIFO_POLL_MS = 50;

/**
 * Opens a named pipe for writing without blocking a thread: O_NONBLOCK fails (ENXIO) while no
 * reader has it open, so it is tried every FIFO_POLL_MS until one does, or until a signal
 * (interruptOutputs, `signal`) ends the wait. Written as a libuv pipe (a socket).
 */
async function openFifoForWrite(path: string, signal?: AbortSignal): Promise<Socket> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      return new Socket({ fd: openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK), readable: false, writable: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
    }
    await new Promise<void>((resolve, reject) => {
      const stop = (reason: unknown): void => {
        clearTimeout(timer);
        outputWaits.delete(stop);
        signal?.removeEventListener('abort', onAbort);
        reject(reason);
      };
      const onAbort = (): void => stop(signal!.reason);
      const timer = setTimeout(() => {
        outputWaits.delete(stop);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, FIFO_POLL_MS);
      outputWaits.add(stop);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

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

/**
 * A temp-file name beside `path` that stays well under the 255-byte name limit, whatever the
 * length of the output name (a long name is cut to its first 64 bytes on a character boundary).
 */
export function tempNameFor(path: string): string {
  const base = basename(path);
  let prefix = '';
  for (const ch of base) {
    if (Buffer.byteLength(prefix + ch) > 64) break;
    prefix += ch;
  }
  return join(dirname(path), `.${prefix}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
}

/** Where a file target really lands: symlinks followed; how it must be written. */
interface ResolvedFile {
  /** The path written or renamed over (a symlink's final target). */
  readonly path: string;
  /** Special files (char devices, FIFOs, sockets) and hard-linked files are written through. */
  readonly through: boolean;
  /** The existing file's permission bits, kept on replacement. */
  readonly mode: number | null;
  /** A named pipe (opened without blocking, see openFifoForWrite). */
  readonly fifo?: boolean;
}

async function resolveFile(path: string): Promise<ResolvedFile> {
  let real = path;
  try {
    real = await realpath(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioErrorFrom(e, path, 'write');
    // A dangling symlink: write through it (creates its target, the link stays a link).
    try {
      if ((await lstat(path)).isSymbolicLink()) return { path, through: true, mode: null };
    } catch {
      /* the path itself does not exist: a new file */
    }
    real = join(await realpath(dirname(path)).catch(() => dirname(path)), basename(path));
  }
  const dir = dirname(real);
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (e) {
    throw ioErrorFrom(e, path, 'write');
  }
  try {
    const st = await stat(real);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) return { path: real, through: true, mode: null, fifo: st.isFIFO() };
    return { path: real, through: st.nlink > 1, mode: st.mode & 0o7777 };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioErrorFrom(e, path, 'write');
    return { path: real, through: false, mode: null };
  }
}

/**
 * Opens `path` for writing. A regular file (new or existing, not hard-linked) is written
 * atomically: temp file beside it (beside a symlink's final target), renamed over it on commit,
 * its permission bits kept. Special files (/dev/null, FIFOs, sockets) and hard-linked files are
 * written through, as shell redirection would; abort cannot undo what was written to them.
 */
export async function openFileTarget(path: string, options: { signal?: AbortSignal } = {}): Promise<ByteTarget> {
  const resolved = await resolveFile(path);
  const through = resolved.through;
  const tmp = through ? resolved.path : tempNameFor(resolved.path);
  let failure: unknown = null;
  let stream: WriteStream | Socket;
  if (resolved.fifo) {
    try {
      stream = await openFifoForWrite(resolved.path, options.signal);
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw ioErrorFrom(e, path, 'open');
    }
  } else stream = createWriteStream(tmp, { flags: through ? 'w' : 'wx', highWaterMark: 1 << 20 });
  if (!through) liveTempFiles.add(tmp);
  stream.on('error', (e: Error) => {
    failure ??= e;
  });
  await new Promise<void>((resolve, reject) => {
    if (resolved.fifo) return resolve();
    stream.once('open', () => resolve());
    stream.once('error', (e: Error) => reject(ioErrorFrom(e, path, 'write')));
  }).catch(async (e) => {
    if (!through) {
      liveTempFiles.delete(tmp);
      await rm(tmp, { force: true });
    }
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
      if (through) return;
      if (interruption && !committedOnce) {
        await rm(tmp, { force: true });
        liveTempFiles.delete(tmp);
        throw interruption.reason;
      }
      try {
        if (resolved.mode !== null) await chmod(tmp, resolved.mode);
        await rename(tmp, resolved.path);
      } catch (e) {
        await rm(tmp, { force: true });
        liveTempFiles.delete(tmp);
        throw ioErrorFrom(e, path, 'rename');
      }
      committedOnce = true;
      liveTempFiles.delete(tmp);
    },
    async abort() {
      stream.destroy();
      if (through) return;
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

export async function openTarget(path: string | undefined, options: { signal?: AbortSignal } = {}): Promise<ByteTarget> {
  return path === undefined || path === '-' ? stdoutTarget() : openFileTarget(path, options);
}
