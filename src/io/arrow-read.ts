/**
 * Arrow IPC reading (file and stream formats, detected by magic bytes) through apache-arrow,
 * record batch by record batch. Errors inside the IPC data become data errors, never crashes.
 *
 * Interoperability (fixtures/arrow/, written by polars): every int width, float32/64, bool,
 * Utf8, LargeUtf8, Utf8View and dictionary strings read as native values; date/time columns as
 * their stored integers (exact at any unit); decimals print with their scale. Bodies compressed
 * with LZ4 or ZSTD cannot be decoded by apache-arrow JS without a codec: they fail with a
 * DataError (REBALANCE_ARROW_COMPRESSED) naming the codec and how to write the file uncompressed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { AsyncMessageReader, CompressionType, DataType, RecordBatchReader, Type, type RecordBatch, type Schema, type Vector } from 'apache-arrow';
import { DataError, RebalanceError } from '../core/errors.js';
import { guardArrowDecode } from './arrow-guard.js';
import type { Cell, RowBatch } from './batch.js';
import { isArrowFileMagic } from './format.js';
import { ioErrorFrom } from './fs-errors.js';

/** apache-arrow's message when a record/dictionary batch uses a codec it has no decoder for. */
const COMPRESSED = /compressed but codec not found/i;

/**
 * Finds the compression codec of the first compressed batch in an Arrow IPC file or stream,
 * reading message headers only (bodies are skipped). Null when none is found or unreadable.
 */
export async function arrowCompression(handle: FileHandle): Promise<string | null> {
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    // File format: "ARROW1" + 2 padding bytes, then the same messages as the stream format.
    const start = isArrowFileMagic(head.subarray(0, bytesRead)) ? 8 : 0;
    const { size } = await handle.stat();
    const stream = handle.createReadStream({ start, autoClose: false });
    const reader = new AsyncMessageReader(stream);
    try {
      for (let i = 0; i < 1_000_000; i++) {
        const message = await reader.readMessage();
        if (message === null) return null;
        let compression: { type: CompressionType } | null = null;
        if (message.isRecordBatch()) compression = message.header().compression;
        else if (message.isDictionaryBatch()) compression = message.header().data.compression;
        if (compression) return CompressionType[compression.type]?.toLowerCase().replace('_frame', '') ?? `codec ${compression.type}`;
        if (message.bodyLength > 0) {
          if (message.bodyLength > size) return null;
          await reader.readMessageBody(message.bodyLength);
        }
      }
      return null;
    } finally {
      stream.destroy();
    }
  } catch {
    return null;
  }
}

async function arrowDataError(e: unknown, path: string, handle: FileHandle): Promise<RebalanceError> {
  if (e instanceof RebalanceError) return e;
  const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  if (COMPRESSED.test(msg)) {
    const codec = (await arrowCompression(handle)) ?? 'lz4 or zstd';
    return new DataError(
      'REBALANCE_ARROW_COMPRESSED',
      `compressed Arrow IPC (${codec}) is not supported; write it uncompressed (polars: compression="uncompressed", pyarrow: compression=None)`,
      { where: { file: path }, cause: e },
    );
  }
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

/** Arrow type ids of date/time types whose cells are read as their stored integers. */
const TEMPORAL = new Set([Type.Date, Type.Time, Type.Timestamp, Type.Duration]);

/** True for Date, Time, Timestamp and Duration types (any unit). */
export function isTemporal(type: DataType): boolean {
  return TEMPORAL.has(type.typeId);
}

/** Row-major cells of `n` rows from one getter per column (undefined reads as null). */
export function rowsFromGetters(cols: ReadonlyArray<(i: number) => unknown>, n: number): Cell[][] {
  const rows: Cell[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row: Cell[] = new Array(cols.length);
    for (let j = 0; j < cols.length; j++) {
      const v = cols[j](i);
      row[j] = v === undefined ? null : (v as Cell);
    }
    rows[i] = row;
  }
  return rows;
}

/**
 * Cell access for one column of a record batch. Date/time columns yield the stored integer
 * (days, ms, us or ns as the type's unit says: number for 32-bit storage, bigint for 64-bit)
 * because apache-arrow's `get` converts them to float milliseconds, which loses microseconds and
 * nanoseconds; arrow-write.ts writes such integers back unchanged. Other types use `get`.
 */
export function cellGetter(column: Vector | null): (i: number) => unknown {
  if (column === null) return () => null;
  if (isTemporal(column.type) && column.data.length === 1) {
    const values = column.data[0].values as Int32Array | BigInt64Array;
    return (i) => (column.isValid(i) ? values[i] : null);
  }
  if (column.type.typeId === Type.Decimal) {
    // apache-arrow's decimal value prints its unscaled integer (1.00 -> "100"): give each cell a
    // toString with the scale applied, so text output is right; the words stay for Arrow output.
    const scale = (column.type as unknown as { scale: number }).scale;
    return (i) => {
      const v = column.get(i) as (object & { toString(): string }) | null;
      if (v === null || v === undefined) return null;
      const text = decimalText(BigInt(v.toString()), scale);
      Object.defineProperty(v, 'toString', { value: () => text, enumerable: false });
      Object.defineProperty(v, Symbol.toPrimitive, { value: (hint: string) => (hint === 'number' ? Number(text) : text), enumerable: false });
      return v;
    };
  }
  if (column.data.length === 1 && (DataType.isInt(column.type) || (DataType.isFloat(column.type) && column.type.precision !== 0))) {
    // Plain numbers straight from the values buffer (what `get` returns, without its per-cell
    // dispatch): number for up to 32 bits and floats, bigint for 64-bit integers.
    const d = column.data[0];
    const values = d.values as ArrayLike<unknown>;
    if (d.nullCount === 0) return (i) => values[i];
    return (i) => (column.isValid(i) ? values[i] : null);
  }
  return (i) => column.get(i);
}

/** Decimal text of `unscaled * 10^-scale` (e.g. 100n, 2 -> "1.00"; -5n, 3 -> "-0.005"). */
export function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return (neg ? '-' : '') + digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
}

/**
 * Yields the schema first, then row batches. Row cells are apache-arrow's native values. The
 * input is first decoded on trial (arrow-guard.ts); `signal` stops that wait.
 */
export async function* arrowRecordBatches(path: string, options: { readonly signal?: AbortSignal } = {}): AsyncGenerator<Item> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioErrorFrom(e, path, 'open');
  }
  try {
    await guardArrowDecode(path, path, { signal: options.signal });
    let reader;
    try {
      reader = await RecordBatchReader.from(handle);
      await reader.open();
    } catch (e) {
      throw await arrowDataError(e, path, handle);
    }
    if (!reader.schema) throw new DataError('REBALANCE_BAD_ARROW', 'the Arrow input has no schema (empty stream?)', { where: { file: path } });
    checkSchema(reader.schema, path);
    yield { schema: reader.schema };
    let offset = 0;
    const it = reader[Symbol.asyncIterator]();
    for (;;) {
      let next;
      try {
        next = await it.next();
      } catch (e) {
        throw await arrowDataError(e, path, handle);
      }
      if (next.done) break;
      const batch = next.value;
      checkBatchLengths(batch, path);
      const n = batch.numRows;
      const cols = batch.schema.fields.map((_, j) => cellGetter(batch.getChildAt(j)));
      let rows: Cell[][];
      try {
        rows = rowsFromGetters(cols, n);
      } catch (e) {
        throw await arrowDataError(e, path, handle);
      }
      yield { offset, rows };
      offset += n;
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A corrupt schema can decode to fields without a name or a type: refuse it as data. */
function checkSchema(schema: Schema, path: string): void {
  schema.fields.forEach((f, j) => {
    if (typeof f?.name !== 'string' || !f.type || typeof (f.type as { typeId?: unknown }).typeId !== 'number') {
      throw new DataError('REBALANCE_BAD_ARROW', `field ${j + 1} of the Arrow schema has no name or type; the file is corrupt`, { where: { file: path } });
    }
  });
}

/**
 * A record batch must hold the rows it declares: a corrupt length would otherwise make the reader
 * materialise (and run out of memory on) rows that do not exist.
 */
function checkBatchLengths(batch: RecordBatch, path: string): void {
  const n = batch.numRows;
  const bad = (what: string): never => {
    throw new DataError('REBALANCE_BAD_ARROW', `a record batch declares ${n} rows but ${what}; the file is corrupt or truncated`, { where: { file: path } });
  };
  if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 31 - 1) bad('that is not a valid row count');
  batch.data.children.forEach((child, j) => {
    if (child.length !== n) bad(`column ${j + 1} holds ${child.length}`);
    const t = child.type;
    const values = child.values as ArrayLike<unknown> | undefined;
    if (DataType.isDictionary(t) || DataType.isNull(t)) return;
    if (DataType.isBool(t)) {
      if (!values || values.length * 8 < child.offset + n) bad(`column ${j + 1} has only ${(values?.length ?? 0) * 8} boolean slots`);
    } else if (DataType.isInt(t) || DataType.isFloat(t) || DataType.isDate(t) || DataType.isTimestamp(t) || DataType.isTime(t) || DataType.isDecimal(t)) {
      const stride = child.stride ?? 1;
      if (!values || values.length < (child.offset + n) * stride) bad(`column ${j + 1} has only ${values?.length ?? 0} values`);
    } else if (DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isBinary(t) || DataType.isLargeBinary(t)) {
      const offsets = child.valueOffsets as ArrayLike<unknown> | undefined;
      if (!offsets || offsets.length < child.offset + n + 1) bad(`column ${j + 1} has only ${offsets?.length ?? 0} offsets`);
    }
  });
}

/**
 * ISO 8601 text for the stored integers of a date/time column (CSV output of Arrow and Parquet
 * input): Date32/Date64 as YYYY-MM-DD, Timestamp as YYYY-MM-DDTHH:MM:SS[.fraction] (+ 'Z' when the
 * type has a time zone: the stored instant is UTC), Time as HH:MM:SS[.fraction]; the fraction
 * keeps the unit's digits, trailing zeros cut. Null for other types (durations stay numbers).
 */
export function temporalFormatter(type: DataType | undefined): ((v: unknown) => string) | null {
  if (!type) return null;
  const t = type as unknown as { unit?: number; timezone?: string | null };
  // apache-arrow TimeUnit: 0 s, 1 ms, 2 us, 3 ns; DateUnit: 0 day, 1 ms.
  const perSecond = [1n, 1000n, 1_000_000n, 1_000_000_000n];
  const digits = [0, 3, 6, 9];
  const fraction = (rem: bigint, unit: number): string => {
    if (rem === 0n) return '';
    return '.' + rem.toString().padStart(digits[unit], '0').replace(/0+$/, '');
  };
  const split = (v: unknown, unit: number): { secs: bigint; rem: bigint } => {
    const n = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    const per = perSecond[unit];
    let secs = n / per;
    let rem = n % per;
    if (rem < 0n) {
      rem += per;
      secs -= 1n;
    }
    return { secs, rem };
  };
  const day = (secs: bigint): string => new Date(Number(secs) * 1000).toISOString().slice(0, 10);
  const clock = (secs: bigint): string => new Date(Number(secs) * 1000).toISOString().slice(11, 19);
  const pass = (v: unknown): v is null | undefined => v === null || v === undefined || v === '';
  switch (type.typeId) {
    case Type.Date: {
      const ms = t.unit === 1;
      return (v) => (pass(v) ? '' : day(split(v, ms ? 1 : 0).secs * (ms ? 1n : 86400n)));
    }
    case Type.Timestamp: {
      const unit = t.unit ?? 1;
      const zone = t.timezone ? 'Z' : '';
      return (v) => {
        if (pass(v)) return '';
        const { secs, rem } = split(v, unit);
        return `${day(secs)}T${clock(secs)}${fraction(rem, unit)}${zone}`;
      };
    }
    case Type.Time: {
      const unit = t.unit ?? 1;
      return (v) => {
        if (pass(v)) return '';
        const { secs, rem } = split(v, unit);
        return `${clock(secs)}${fraction(rem, unit)}`;
      };
    }
    default:
      return null;
  }
}
