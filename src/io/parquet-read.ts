/**
 * Parquet input through parquet-wasm (the Rust arrow/parquet crates compiled to WebAssembly; chosen
 * by measurement, see BENCHMARKS.md "Formats"). The file is read through a file-backed Blob
 * (fs.openAsBlob), so only the column chunks being decoded are in memory: batches of `batchRows`
 * rows are decoded row group by row group, handed to apache-arrow as IPC bytes, and become the
 * same record batches the Arrow input yields (arrow-read.ts), so everything downstream is shared.
 *
 * Types: what arrow-rs reads (every int width, float32/64, bool, Utf8/LargeUtf8, dictionary,
 * Date32, Timestamp with unit and zone, ...) is kept as is; polars Categorical/Enum columns
 * (ARROW:schema dictionary<Utf8View>) are read as dictionary<Utf8> through a rewritten footer
 * (readableBlob, parquet-footer.ts); Decimal columns are read as float64
 * numbers (a notice says so), so they compute like the other numbers and are written back as
 * float64. Pages compressed with snappy, gzip, zstd, lz4, brotli or none are read.
 */
import { openAsBlob } from 'node:fs';
import { createRequire } from 'node:module';
import { DataType, Dictionary, Field, Float64, RecordBatchReader, Schema, Table, tableToIPC, Type, Utf8, type RecordBatch } from 'apache-arrow';
import { DataError, RebalanceError } from '../core/errors.js';
import { cellGetter, decimalText, rowsFromGetters } from './arrow-read.js';
import type { Cell, RowBatch } from './batch.js';
import { ioErrorFrom } from './fs-errors.js';
import { arrowSchemaMessageSound, FooterError, footerKeyValues, readFooter, replaceKeyValues, withFooter, type KeyValue } from './parquet-footer.js';

type ParquetWasm = typeof import('parquet-wasm/node');

let wasm: ParquetWasm | null = null;

/** parquet-wasm's Node build (CommonJS; instantiates its WebAssembly module when first loaded). */
export function loadParquetWasm(): ParquetWasm {
  if (!wasm) {
    wasm = createRequire(import.meta.url)('parquet-wasm/node') as ParquetWasm;
    process.on('uncaughtException', onUncaught);
  }
  return wasm;
}

/**
 * A Rust panic inside parquet-wasm's async reader (corrupt data it does not check) surfaces as a
 * WebAssembly RuntimeError thrown from a microtask, where no caller can catch it: the process would
 * die without a message. Once the module is loaded, such an error is recorded and rejects the
 * pending (or next) guarded call; any other uncaught error is rethrown as it would have been.
 */
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly.RuntimeError;
let panicked: Error | null = null;
const waiting = new Set<(e: Error) => void>();

function onUncaught(e: unknown): void {
  if (e instanceof WasmRuntimeError) {
    panicked ??= e;
    for (const reject of waiting) reject(e);
    waiting.clear();
    return;
  }
  process.off('uncaughtException', onUncaught);
  setImmediate(() => {
    throw e;
  });
}

/** Awaits a parquet-wasm promise, rejecting instead of hanging (or dying) when the module panics. */
export async function guardWasm<T>(promise: Promise<T>): Promise<T> {
  if (panicked) throw panicked;
  let reject!: (e: Error) => void;
  const panic = new Promise<never>((_, r) => (reject = r));
  waiting.add(reject);
  try {
    return await Promise.race([promise, panic]);
  } finally {
    waiting.delete(reject);
  }
}

function parquetError(e: unknown, path: string): RebalanceError {
  if (e instanceof RebalanceError) return e;
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  return new DataError('REBALANCE_BAD_PARQUET', `not a readable Parquet file (${msg}); the file may be truncated or corrupt`, { where: { file: path }, cause: e });
}

/** The schema rebalance works with: Decimal fields become Float64. */
function workingSchema(schema: Schema): { schema: Schema; decimals: string[] } {
  const decimals: string[] = [];
  const fields = schema.fields.map((f) => {
    if (f.type.typeId !== Type.Decimal) return f;
    decimals.push(f.name);
    return new Field(f.name, new Float64(), f.nullable, f.metadata);
  });
  return { schema: decimals.length ? new Schema(fields, schema.metadata) : schema, decimals };
}

/**
 * arrow-rs (parquet-wasm 0.8) panics decoding a dictionary column whose ARROW:schema type has view
 * values. polars writes its Categorical and Enum columns so (dictionary<UInt32, Utf8View>; the
 * Parquet column is a plain dictionary-encoded BYTE_ARRAY/STRING), so openParquet retypes them to
 * dictionary<Utf8> in the footer (readableBlob). polars cannot write a dictionary of BinaryView; a
 * file with one is refused up front with the fix.
 */
function checkReadable(schema: Schema, path: string): void {
  for (const f of schema.fields) {
    if (f.type.typeId !== Type.Dictionary) continue;
    const values = (f.type as unknown as { dictionary: { typeId: number } }).dictionary;
    if (values.typeId === Type.Utf8View || values.typeId === Type.BinaryView) {
      throw new DataError(
        'REBALANCE_PARQUET_TYPE',
        `column '${f.name}' is a dictionary of ${values.typeId === Type.Utf8View ? 'Utf8View' : 'BinaryView'} values, which the Parquet reader cannot decode; cast it to strings or binary before writing (polars: pl.col('${f.name}').cast(pl.String))`,
        { where: { file: path } },
      );
    }
  }
}

/** `type` with every dictionary of Utf8View values (also inside lists and structs) made a dictionary of Utf8; null when none. */
function withoutViewDictionaries(type: DataType): DataType | null {
  if (DataType.isDictionary(type)) {
    if (type.dictionary.typeId !== Type.Utf8View) return null;
    return new Dictionary(new Utf8(), type.indices, type.id, type.isOrdered);
  }
  if (type.children?.length) {
    let changed = false;
    const children = type.children.map((c) => {
      const t = withoutViewDictionaries(c.type);
      if (!t) return c;
      changed = true;
      return new Field(c.name, t, c.nullable, c.metadata);
    });
    if (!changed) return null;
    // Same type with new children: List, LargeList, FixedSizeList, Struct, Map, Union all keep `children`.
    return Object.assign(Object.create(Object.getPrototypeOf(type) as object) as DataType, type, { children });
  }
  return null;
}

/** The encapsulated IPC Schema message that tableToIPC writes first (continuation, length, flatbuffer). */
function schemaMessage(schema: Schema): Uint8Array {
  const ipc = tableToIPC(new Table(schema), 'stream');
  const view = new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength);
  const len = view.getUint32(4, true);
  return ipc.subarray(0, 8 + len);
}

/**
 * The ARROW:schema value (base64 of an IPC Schema message) with polars' dictionary<Utf8View>
 * columns retyped to dictionary<Utf8> (index type, dictionary id, ordering, field and schema
 * metadata kept); null when nothing needs to change or the value is not a schema apache-arrow reads
 * (arrow-rs then gets it unchanged and judges it).
 */
export function readableArrowSchema(base64: string): string | null {
  try {
    const message = Buffer.from(base64, 'base64');
    if (!arrowSchemaMessageSound(message)) return null;
    const reader = RecordBatchReader.from(message);
    reader.open();
    const schema = reader.schema;
    if (!schema) return null;
    let changed = false;
    const fields = schema.fields.map((f) => {
      const t = withoutViewDictionaries(f.type);
      if (!t) return f;
      changed = true;
      return new Field(f.name, t, f.nullable, f.metadata);
    });
    if (!changed) return null;
    return Buffer.from(schemaMessage(new Schema(fields, schema.metadata))).toString('base64');
  } catch {
    // A corrupt schema (apache-arrow refuses it): arrow-rs gets it unchanged and reports it.
    return null;
  }
}

/**
 * The file as parquet-wasm can read it: the same Blob, or, when its ARROW:schema has polars'
 * dictionary<Utf8View> columns, a Blob of the same bytes with a footer whose ARROW:schema says
 * dictionary<Utf8> (parquet-footer.ts; data pages are not copied). An odd or corrupt footer is left
 * for parquet-wasm to report.
 */
async function readableBlob(blob: Blob): Promise<Blob> {
  const footer = await readFooter(blob);
  if (!footer) return blob;
  let entries: KeyValue[];
  try {
    entries = footerKeyValues(footer.bytes);
  } catch (e) {
    if (e instanceof FooterError) return blob;
    throw e;
  }
  const at = entries.findIndex((e) => e.key === 'ARROW:schema');
  const value = at < 0 ? null : entries[at].value;
  const schema = value === null ? null : readableArrowSchema(value);
  if (schema === null) return blob;
  const next = entries.map((e, i) => (i === at ? { key: e.key, value: schema } : e));
  return withFooter(blob, footer, replaceKeyValues(footer.bytes, next));
}

export interface ParquetInfo {
  readonly schema: Schema;
  readonly rows: number;
  readonly rowGroups: number;
  /** One-line notices for the user (decimal columns read as numbers). */
  readonly notices: readonly string[];
}

async function openParquet(path: string): Promise<import('parquet-wasm/node').ParquetFile> {
  let blob: Blob;
  try {
    blob = await openAsBlob(path);
  } catch (e) {
    throw ioErrorFrom(e, path, 'open');
  }
  try {
    blob = await readableBlob(blob);
  } catch (e) {
    throw ioErrorFrom(e, path, 'read');
  }
  try {
    return await guardWasm(loadParquetWasm().ParquetFile.fromFile(blob));
  } catch (e) {
    throw parquetError(e, path);
  }
}

/** One decoded parquet-wasm batch as an apache-arrow RecordBatch. */
function toArrow(batch: { intoIPCStream(): Uint8Array }): RecordBatch[] {
  const reader = RecordBatchReader.from(batch.intoIPCStream());
  return [...reader];
}

/** Schema, row count and notices, from the footer only. */
export async function readParquetInfo(path: string): Promise<ParquetInfo> {
  const file = await openParquet(path);
  try {
    const meta = file.metadata();
    const rows = Number(meta.fileMetadata().numRows());
    const rowGroups = meta.numRowGroups();
    // The Arrow schema as arrow-rs maps it: read from an empty selection of the first rows.
    const table = await guardWasm(file.read({ limit: 0 }));
    const reader = RecordBatchReader.from(table.intoIPCStream());
    reader.open();
    const schema = reader.schema;
    checkReadable(schema, path);
    const w = workingSchema(schema);
    const notices = w.decimals.map((n) => `column '${n}' is a Parquet decimal: read as float64 numbers (written back as float64)`);
    return { schema: w.schema, rows, rowGroups, notices };
  } catch (e) {
    throw parquetError(e, path);
  } finally {
    file.free();
  }
}

/**
 * Yields the working schema first, then row batches of at most `batchRows` rows (cells as
 * arrow-read.ts makes them; decimals as numbers).
 */
export async function* parquetRecordBatches(path: string, options: { readonly batchRows?: number; readonly signal?: AbortSignal } = {}): AsyncGenerator<{ schema: Schema } | RowBatch> {
  const info = await readParquetInfo(path);
  yield { schema: info.schema };
  const file = await openParquet(path);
  let offset = 0;
  try {
    let stream: ReadableStream;
    try {
      stream = await guardWasm(file.stream({ batchSize: options.batchRows ?? 16384 }));
    } catch (e) {
      throw parquetError(e, path);
    }
    const reader = stream.getReader();
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        let next: { done: boolean; value?: { intoIPCStream(): Uint8Array } };
        try {
          next = await guardWasm(reader.read());
        } catch (e) {
          throw parquetError(e, path);
        }
        if (next.done) break;
        let batches: RecordBatch[];
        try {
          batches = toArrow(next.value!);
        } catch (e) {
          throw parquetError(e, path);
        }
        for (const batch of batches) {
          const rows = batchRows(batch);
          yield { offset, rows };
          offset += rows.length;
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  } finally {
    try {
      file.free();
    } catch {
      /* already freed */
    }
  }
}

/** Row-major cells of a record batch; decimal cells as numbers. */
function batchRows(batch: RecordBatch): Cell[][] {
  const n = batch.numRows;
  const cols = batch.schema.fields.map((f, j) => {
    const column = batch.getChildAt(j);
    if (column !== null && f.type.typeId === Type.Decimal) {
      const scale = (f.type as unknown as { scale: number }).scale;
      return (i: number): unknown => {
        const v = column.get(i) as { toString(): string } | null;
        return v === null || v === undefined ? null : Number(decimalText(BigInt(v.toString()), scale));
      };
    }
    return cellGetter(column);
  });
  return rowsFromGetters(cols, n);
}
