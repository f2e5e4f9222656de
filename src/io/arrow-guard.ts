/**
 * Decodes an Arrow input once in a worker thread with a capped heap before the real read. A
 * corrupt flatbuffer can declare vectors of billions of entries, and apache-arrow's decoder then
 * allocates until the process dies; in the worker that only kills the worker, and the user gets a
 * data error instead of a crash. One worker serves every check of a process (started on first
 * use, unref'd so it never keeps the process alive, replaced after it dies).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DataError } from '../core/errors.js';

const SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { open } = require('node:fs/promises');
const arrow = require(workerData.arrowPath);
parentPort.on('message', async ({ id, path }) => {
  let fh;
  try {
    fh = await open(path, 'r');
    const reader = await arrow.RecordBatchReader.from(fh);
    await reader.open();
    for await (const batch of reader) for (let j = 0; j < batch.numCols; j++) batch.getChildAt(j);
  } catch (e) {
    // Decoder errors are reported by the real read with their own messages: only survival matters.
  } finally {
    if (fh) await fh.close().catch(() => {});
  }
  parentPort.postMessage({ id });
});
`;

/** Heap for the trial decode (MB): plenty for metadata, far below what a runaway decode takes. */
const TRIAL_HEAP_MB = 256;

interface Pending {
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  readonly name: string;
}

let worker: Worker | null = null;
const pending = new Map<number, Pending>();
let nextId = 0;

function corrupt(name: string, why: string): DataError {
  return new DataError('REBALANCE_BAD_ARROW', `not a readable Arrow IPC file or stream (${why}); the file may be truncated or corrupt`, { where: { file: name } });
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
  w.on('message', ({ id }: { id: number }) => {
    const p = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) w.unref();
    p?.resolve();
  });
  const fail = (why: string): void => {
    if (worker === w) worker = null;
    for (const [id, p] of pending) {
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

/** Resolves when apache-arrow can decode `path` within a capped heap; throws DataError otherwise. */
export function guardArrowDecode(path: string, displayName: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const w = getWorker();
    const id = nextId++;
    pending.set(id, { resolve, reject, name: displayName });
    w.ref();
    w.postMessage({ id, path });
  });
}
