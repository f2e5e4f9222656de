/**
 * Compressed streams: gzip through Node's zlib, zstd through zstd-napi (native, loaded only when a
 * zstd stream is met). Input: a compressed file is decompressed, streaming, to a temporary file
 * that the readers then read twice as usual. Output: a ByteTarget whose bytes pass through the
 * compressor first (.csv.gz, .arrows.zst, ...).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { BackendUnavailableError, DataError } from '../core/errors.js';
import type { Compression } from './format.js';
import { ioErrorFrom } from './fs-errors.js';
import type { ByteTarget } from './output.js';

interface ZstdModule {
  CompressStream: new (parameters?: { compressionLevel?: number }) => Transform;
  DecompressStream: new () => Transform;
}

let zstd: ZstdModule | null = null;

/** zstd-napi, loaded on first use (a native addon: a CSV-only run never loads it). */
function loadZstd(): ZstdModule {
  if (zstd) return zstd;
  try {
    zstd = createRequire(import.meta.url)('zstd-napi') as ZstdModule;
    return zstd;
  } catch (e) {
    throw new BackendUnavailableError(
      'REBALANCE_ZSTD_UNAVAILABLE',
      `zstd support (the zstd-napi package) could not be loaded (${(e as Error).message.split('\n')[0]}); reinstall rebalance, or use gzip (.gz) or no compression`,
      { cause: e },
    );
  }
}

export function decompressor(kind: Compression): Transform {
  return kind === 'gzip' ? createGunzip() : new (loadZstd().DecompressStream)();
}

export function compressor(kind: Compression): Transform {
  return kind === 'gzip' ? createGzip() : new (loadZstd().CompressStream)({ compressionLevel: 3 });
}

/**
 * Decompresses `src` into `dst` (created with mode 0600). Corrupt or truncated data is a DataError
 * naming the input; `dst` is removed on any failure.
 */
export async function decompressFile(src: string, dst: string, kind: Compression, name: string, signal?: AbortSignal): Promise<void> {
  try {
    await pipeline(createReadStream(src), decompressor(kind), createWriteStream(dst, { flags: 'wx', mode: 0o600 }), { signal });
  } catch (e) {
    await rm(dst, { force: true });
    if ((e as Error).name === 'AbortError') throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && code !== 'ERR_STREAM_PREMATURE_CLOSE') throw ioErrorFrom(e, name, 'read');
    const what = kind === 'gzip' ? 'gzip' : 'zstd';
    throw new DataError('REBALANCE_BAD_COMPRESSED', `the ${what} data is corrupt or truncated (${(e as Error).message.split('\n')[0]}); check the file with \`${what === 'gzip' ? 'gzip' : 'zstd'} -t\``, {
      where: { file: name },
      cause: e,
    });
  }
}

/** A target that compresses what is written to it into `target`; commit ends the stream first. */
export function compressingTarget(target: ByteTarget, kind: Compression): ByteTarget {
  const z = compressor(kind);
  let failure: unknown = null;
  z.on('error', (e) => {
    failure ??= e;
  });
  // Compressed chunks go to the target one at a time, in order.
  const pump = (async () => {
    try {
      for await (const chunk of z) await target.write(chunk as Uint8Array);
    } catch (e) {
      failure ??= e;
      z.destroy();
    }
  })();
  const check = (): void => {
    if (failure) throw failure;
  };
  return {
    name: target.name,
    async write(chunk) {
      check();
      if (!z.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            z.off('drain', done);
            z.off('close', done);
            resolve();
          };
          z.on('drain', done);
          z.on('close', done);
        });
      }
      check();
    },
    async commit() {
      check();
      await new Promise<void>((resolve) => z.end(() => resolve()));
      await pump;
      check();
      await target.commit();
    },
    async abort() {
      z.destroy();
      await pump.catch(() => undefined);
      await target.abort();
    },
  };
}
