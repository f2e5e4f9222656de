/**
 * Arrow IPC reading (file and stream formats, detected by magic bytes) through apache-arrow,
 * record batch by record batch. Errors inside the IPC data become data errors, never crashes.
 */
import { open } from 'node:fs/promises';
import { RecordBatchReader, type Schema, type Vector } from 'apache-arrow';
import { DataError, RebalanceError } from '../core/errors.js';
import type { Cell, RowBatch } from './batch.js';
import { ioErrorFrom } from './fs-errors.js';

function arrowDataError(e: unknown, path: string): RebalanceError {
  if (e instanceof RebalanceError) return e;
  const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return new DataError('REBALANCE_BAD_ARROW', `not a readable Arrow IPC file or stream (${msg}); the file may be truncated or corrupt`, {
    where: { file: path },
    cause: e,
  });
}

/** Reads the schema only. */
export async function readArrowSchema(path: string): Promise<Schema> {
  for await (const item of arrowRecordBatches(path)) {
    if ('schema' in item) return item.schema;
  }
  throw new DataError('REBALANCE_BAD_ARROW', 'the Arrow input has no schema', { where: { file: path } });
}

type Item = { schema: Schema } | RowBatch;

/**
 * Yields the schema first, then row batches. Row cells are apache-arrow's native values.
 */
export async function* arrowRecordBatches(path: string): AsyncGenerator<Item> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioErrorFrom(e, path, 'open');
  }
  try {
    let reader;
    try {
      reader = await RecordBatchReader.from(handle);
      await reader.open();
    } catch (e) {
      throw arrowDataError(e, path);
    }
    if (!reader.schema) throw new DataError('REBALANCE_BAD_ARROW', 'the Arrow input has no schema (empty stream?)', { where: { file: path } });
    yield { schema: reader.schema };
    let offset = 0;
    const it = reader[Symbol.asyncIterator]();
    for (;;) {
      let next;
      try {
        next = await it.next();
      } catch (e) {
        throw arrowDataError(e, path);
      }
      if (next.done) break;
      const batch = next.value;
      const n = batch.numRows;
      const cols: (Vector | null)[] = batch.schema.fields.map((_, j) => batch.getChildAt(j));
      const rows: Cell[][] = new Array(n);
      try {
        for (let i = 0; i < n; i++) {
          const row: Cell[] = new Array(cols.length);
          for (let j = 0; j < cols.length; j++) {
            const v = cols[j]?.get(i);
            row[j] = v === undefined ? null : (v as Cell);
          }
          rows[i] = row;
        }
      } catch (e) {
        throw arrowDataError(e, path);
      }
      yield { offset, rows };
      offset += n;
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}
