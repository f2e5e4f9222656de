/**
 * Decodes an Arrow input once in a worker thread with a capped heap and a time limit before the
 * real read. A corrupt flatbuffer can declare vectors of billions of entries (apache-arrow's
 * decoder then allocates until the process dies) or point the file footer at the wrong message
 * (apache-arrow's file reader then re-reads that message forever); in the worker that only costs
 * the worker, and the user gets a data error instead of a crash or a hang. The main thread only
 * waits on a promise, so SIGINT/SIGTERM (the caller's signal) are heard while the guard runs.
 *
 * One worker serves every check of a process (started on first use, unref'd so it never keeps
 * the process alive, replaced after it dies or is stopped). A file that passed is remembered by
 * path, size and mtime, so the second and third pass of a job do not decode it again.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DataError } from '../core/errors.js';

const SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { open } = require('node:fs/promises');
const { dirname } = require('node:path');
const arrow = require(workerData.arrowPath);

class Corrupt extends Error {}

// apache-arrow trusts the lengths inside the data. Two kinds make it run away before it would
// notice anything (and the real read after a passing guard never meets them):
// - a flatbuffer vector (the buffers of a record batch, the fields of a schema) declaring more
//   entries than its metadata has bytes: the decoder builds every entry (billions of objects);
// - a negative metadata length: the message reader moves backwards and re-reads the same
//   messages forever.
const { ByteBuffer } = require(require.resolve('flatbuffers', { paths: [dirname(workerData.arrowPath)] }));
const vectorLen = ByteBuffer.prototype.__vector_len;
ByteBuffer.prototype.__vector_len = function (offset) {
  const n = vectorLen.call(this, offset);
  const start = offset + this.readInt32(offset) + 4;
  if (!(n >= 0) || start + n > this.capacity()) throw new Corrupt('its metadata declares a list of ' + n + ' entries in ' + this.capacity() + ' bytes');
  return n;
};
// -1 is the continuation marker that precedes a length; a second one in a row is a negative length.
function checkLength(reader, r) {
  const marker = r && r.value === -1 && !reader.guardAfterMarker;
  if (r && r.value < 0 && !marker) throw new Corrupt('a message declares a negative metadata length (' + r.value + ')');
  reader.guardAfterMarker = marker;
  return r;
}
for (const Reader of [arrow.MessageReader, arrow.AsyncMessageReader]) {
  const readLength = Reader.prototype.readMetadataLength;
  Reader.prototype.readMetadataLength = function () {
    const r = readLength.call(this);
    return r && typeof r.then === 'function' ? r.then((v) => checkLength(this, v)) : checkLength(this, r);
  };
}

// The file format's footer lists where each dictionary and record batch message starts. apache-
// arrow's file reader trusts it: a block that points at a message of another type (a schema, a
// dictionary batch where a record batch belongs) makes it read that block again forever. Check
// every block against the file size and the message type it must hold before decoding.
async function checkFooter(reader, fh, size) {
  const footer = reader.footer;
  if (!footer) return;
  const kinds = [['record batch', footer.recordBatches(), (m) => m.isRecordBatch()], ['dictionary batch', footer.dictionaryBatches(), (m) => m.isDictionaryBatch()]];
  for (const [what, blocks, isKind] of kinds) {
    let i = 0;
    for (const b of blocks) {
      i++;
      const offset = Number(b.offset), meta = Number(b.metaDataLength), body = Number(b.bodyLength);
      if (!(offset >= 8 && meta > 0 && body >= 0 && offset + meta + body <= size)) throw new Corrupt('the footer places ' + what + ' ' + i + ' outside the file');
      const head = Buffer.alloc(meta);
      await fh.read(head, 0, meta, offset);
      let message = null;
      try {
        message = new arrow.MessageReader(head).readMessage();
      } catch (e) {
        message = null;
      }
      if (!message || !isKind(message)) throw new Corrupt('the footer entry of ' + what + ' ' + i + ' points at another kind of message');
    }
  }
}

parentPort.on('message', async ({ id, path }) => {
  let fh;
  let error;
  try {
    fh = await open(path, 'r');
    const { size } = await fh.stat();
    const reader = await arrow.RecordBatchReader.from(fh);
    await reader.open();
    if (reader.isFile()) await checkFooter(reader, fh, size);
    // Report progress (at most every 100 ms): the time limit counts from the last batch decoded.
    let reported = Date.now();
    for await (const batch of reader) {
      for (let j = 0; j < batch.numCols; j++) batch.getChildAt(j);
      if (Date.now() - reported >= 100) {
        reported = Date.now();
        parentPort.postMessage({ id, progress: true });
      }
    }
  } catch (e) {
    // Decoder errors are reported by the real read with their own messages: only survival
    // matters, and the structural faults that would make the real read hang.
    if (e instanceof Corrupt) error = e.message;
  } finally {
    if (fh) await fh.close().catch(() => {});
  }
  parentPort.postMessage({ id, error });
});
`;

/** Heap for the trial decode (MB): plenty for metadata, far below what a runaway decode takes. */
const TRIAL_HEAP_MB = 256;

/** Default base time limit of a trial decode without progress (ms); REBALANCE_ARROW_GUARD_MS overrides it. */
export const DEFAULT_GUARD_MS = 5_000;
/** Extra time a trial decode gets per byte of file (1 s per 20 MB: far slower than any disk). */
const MS_PER_BYTE = 1000 / (20 * 1024 * 1024);

/**
 * The time limit of one trial decode of a file of `size` bytes: a base of REBALANCE_ARROW_GUARD_MS
 * (when a positive number, else DEFAULT_GUARD_MS) plus 1 s per 20 MB. It counts from the start and
 * again from each record batch decoded, so a large valid file (one big batch, or 150,000 small
 * ones) is never cut short; a decode stuck that long is stopped and the file rejected as corrupt.
 */
export function arrowGuardLimitMs(size = 0, env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.REBALANCE_ARROW_GUARD_MS);
  const base = Number.isFinite(v) && v > 0 ? v : DEFAULT_GUARD_MS;
  return Math.ceil(base + size * MS_PER_BYTE);
}

export interface GuardOptions {
  /** Stops the check (and the worker) when it fires; the promise rejects with its reason. */
  readonly signal?: AbortSignal;
  /** Time limit in ms (default arrowGuardLimitMs(file size)). */
  readonly limitMs?: number;
}

interface Pending {
  readonly path: string;
  readonly name: string;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
  /** The worker decoded another record batch: the time limit starts again. */
  readonly touch: () => void;
  /** Which worker holds it (re-sent to a fresh one when another check stops the worker). */
  worker: Worker;
}

let worker: Worker | null = null;
const pending = new Map<number, Pending>();
let nextId = 0;
/** Files that passed: path -> `${dev}:${ino}:${size}:${mtimeMs}`. */
const passed = new Map<string, string>();

function corrupt(name: string, why: string): DataError {
  return new DataError('REBALANCE_BAD_ARROW', `not a readable Arrow IPC file or stream (${why}); the file may be truncated or corrupt`, { where: { file: name } });
}

function stat(path: string): { key: string; size: number } | null {
  try {
    const s = statSync(path);
    return { key: `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`, size: s.size };
  } catch {
    return null;
  }
}

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(SOURCE, {
    eval: true,
    workerData: { arrowPath: createRequire(import.meta.url).resolve('apache-arrow') },
    resourceLimits: { maxOldGenerationSizeMb: TRIAL_HEAP_MB, maxYoungGenerationSizeMb: 32 },
    stdout: true,
    stderr: true,
  });
  w.unref();
  w.on('message', ({ id, error, progress }: { id: number; error?: string; progress?: boolean }) => {
    const p = pending.get(id);
    if (!p) return;
    if (progress) {
      p.touch();
      return;
    }
    pending.delete(id);
    if (!hasPending(w)) w.unref();
    if (error) p.reject(corrupt(p.name, error));
    else p.resolve();
  });
  const fail = (why: string): void => {
    if (worker === w) worker = null;
    for (const [id, p] of pending) {
      if (p.worker !== w) continue;
      pending.delete(id);
      p.reject(corrupt(p.name, why));
    }
  };
  w.on('error', (e: Error & { code?: string }) =>
    fail(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'decoding it needs more memory than any valid file of its size' : e.message.split('\n')[0]),
  );
  w.on('exit', (code) => fail(`the decoder stopped with code ${code}`));
  worker = w;
  return w;
}

function hasPending(w: Worker): boolean {
  for (const p of pending.values()) if (p.worker === w) return true;
  return false;
}

function send(id: number, p: Pending): void {
  const w = getWorker();
  p.worker = w;
  w.ref();
  w.postMessage({ id, path: p.path });
}

/**
 * Stops the worker that holds check `id` (its decode ran too long or was interrupted): the
 * check is settled by the caller; every other check the worker held is sent to a fresh worker.
 */
function stopFor(id: number): void {
  const p = pending.get(id);
  pending.delete(id);
  if (!p) return;
  const w = p.worker;
  if (worker === w) worker = null;
  const others = [...pending].filter(([, o]) => o.worker === w);
  w.removeAllListeners('exit');
  w.removeAllListeners('error');
  w.on('error', () => undefined);
  void w.terminate();
  for (const [oid, o] of others) send(oid, o);
}

/**
 * Resolves when apache-arrow can decode `path` within a capped heap and the time limit; rejects
 * with a DataError (REBALANCE_BAD_ARROW) otherwise, or with the signal's reason when it fires.
 */
export function guardArrowDecode(path: string, displayName: string, options: GuardOptions = {}): Promise<void> {
  const { signal } = options;
  const st = stat(path);
  const key = st?.key ?? null;
  const limitMs = options.limitMs ?? arrowGuardLimitMs(st?.size ?? 0);
  if (key !== null && passed.get(path) === key) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const id = nextId++;
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      stopFor(id);
      done();
      reject(signal!.reason);
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stopFor(id);
        done();
        reject(corrupt(displayName, `decoding it made no progress for ${limitMs} ms; set REBALANCE_ARROW_GUARD_MS to allow more`));
      }, limitMs);
    };
    arm();
    signal?.addEventListener('abort', onAbort, { once: true });
    const p: Pending = {
      path,
      name: displayName,
      resolve: () => {
        done();
        if (key !== null) {
          if (passed.size > 64) passed.clear();
          passed.set(path, key);
        }
        resolve();
      },
      reject: (e) => {
        done();
        reject(e);
      },
      touch: arm,
      worker: null as unknown as Worker, // set by send()
    };
    pending.set(id, p);
    send(id, p);
  });
}
