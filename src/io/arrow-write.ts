/**
 * Arrow IPC output (file or stream format) with the input's column types, fixed-size record
 * batches and schema metadata (seed, method). Cells are converted to each column's type.
 *
 * Exactness: date/time columns are written from the stored integers arrow-read.ts yields (an
 * Int32/Int64 builder whose buffer is re-typed), lists and structs from plain arrays/objects
 * (apache-arrow's builders drop values given as Vectors), and column types whose values cannot
 * be carried exactly (Map, Union, Interval, date/time inside lists or structs) are refused with
 * a DataError before anything is written.
 */
import {
  DataType,
  Field,
  Int32,
  Int64,
  makeBuilder,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Type,
  type Builder,
  type Data,
} from 'apache-arrow';
import { DataError } from '../core/errors.js';
import { cellText, classifyBool } from './cells.js';
import { isTemporal } from './arrow-read.js';
import type { Cell } from './batch.js';
import type { ByteTarget } from './output.js';
import type { RowSink, SinkColumn, SinkOptions } from './sink.js';

type Convert = (v: Cell) => unknown;

function toBigInt(v: Cell): bigint | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.round(v));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  const s = String(v);
  return BigInt(s.startsWith('+') ? s.slice(1) : s);
}

function toNumber(v: Cell): number | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number(v);
}

export function converterFor(type: DataType): Convert {
  if (DataType.isInt(type)) {
    if ((type as unknown as { bitWidth: number }).bitWidth === 64) return toBigInt;
    return toNumber;
  }
  if (DataType.isFloat(type)) return toNumber;
  if (DataType.isBool(type)) {
    return (v) => {
      if (v === null || v === undefined || v === '') return null;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      return classifyBool(String(v)) === 1;
    };
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isDictionary(type) || (type as { typeId: number }).typeId === 24) {
    return (v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : cellText(v));
  }
  // Stored integers (arrow-read.ts); a raw Int32/Int64 builder takes them, see rawStorage.
  if (isTemporal(type)) return rawStorage(type) instanceof Int64 ? toBigInt : toNumber;
  if (DataType.isList(type) || DataType.isLargeList(type) || DataType.isFixedSizeList(type)) {
    const child = converterFor(type.children[0].type);
    return (v) => {
      if (v === null || v === undefined) return null;
      const list = v as ArrayLike<unknown> & { get?: (i: number) => unknown };
      const out = new Array(list.length);
      for (let k = 0; k < list.length; k++) out[k] = child((typeof list.get === 'function' ? list.get(k) : list[k]) as Cell);
      return out;
    };
  }
  if (DataType.isStruct(type)) {
    const fields = type.children.map((f) => ({ name: f.name, convert: converterFor(f.type) }));
    return (v) => {
      if (v === null || v === undefined) return null;
      const row = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = f.convert(row[f.name] as Cell);
      return out;
    };
  }
  return (v) => (v === undefined ? null : v);
}

/** For date/time types: the integer type of their storage (Int32 or Int64). */
function rawStorage(type: DataType): Int32 | Int64 {
  return (type as unknown as { ArrayType: unknown }).ArrayType === BigInt64Array ? new Int64() : new Int32();
}

/**
 * Why a column of this type cannot be written exactly (null when it can). Checked for every
 * output column before the first byte is written.
 */
export function unsupportedArrowType(type: DataType, nested = false): string | null {
  switch (type.typeId) {
    case Type.Map:
    case Type.Union:
    case Type.Interval:
      return `${String(type)} columns`;
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Duration:
      return nested ? `${String(type)} inside a list or struct` : null;
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
    case Type.Struct:
      for (const c of type.children) {
        const why = unsupportedArrowType(c.type, true);
        if (why) return why;
      }
      return null;
    case Type.Dictionary:
      return unsupportedArrowType((type as unknown as { dictionary: DataType }).dictionary, nested);
    default:
      return null;
  }
}

/** Builds fixed-size record batches of the output schema from row-major cells (Arrow and Parquet output). */
export interface ArrowBatchBuilder {
  readonly schema: Schema;
  /** Why a column cannot be written exactly (reported at the first write), or null. */
  readonly invalid: DataError | null;
  /** Rows appended since the last flush. */
  readonly rows: number;
  append(cells: readonly Cell[]): void;
  /** The rows appended since the last flush as one record batch. */
  flush(): RecordBatch;
}

export function arrowBatchBuilder(columns: readonly SinkColumn[], options: SinkOptions = {}, what = 'Arrow'): ArrowBatchBuilder {
  let invalid: DataError | null = null;
  const fields = columns.map((c) => {
    if (!c.type) throw new Error(`internal: ${what} output column '${c.name}' has no type`);
    const why = unsupportedArrowType(c.type);
    if (why && !invalid) {
      invalid = new DataError(
        'REBALANCE_ARROW_TYPE',
        `${what} output of ${why} (column '${c.name}') is not supported: values could change; write CSV (--format csv), or drop or cast the column first`,
      );
    }
    return new Field(c.name, c.type, c.nullable ?? true, c.metadata ? new Map(c.metadata) : undefined);
  });
  const schema = new Schema(fields, new Map(options.metadata ?? []));
  const convert = columns.map((c) => converterFor(c.type!));
  // Date/time columns build their stored integers, then the buffer is re-typed (exact at any unit).
  const raw = fields.map((f) => (isTemporal(f.type) ? rawStorage(f.type) : null));
  const newBuilders = (): Builder[] => fields.map((f, j) => makeBuilder({ type: raw[j] ?? f.type, nullValues: [null, undefined] }));
  const retype = (d: Data, j: number): Data => {
    if (raw[j] === null) return d;
    return makeData({ type: fields[j].type, offset: d.offset, length: d.length, nullCount: d.nullCount, nullBitmap: d.nullBitmap, data: d.values } as never) as Data;
  };
  let builders = newBuilders();
  let rows = 0;
  return {
    schema,
    get invalid() {
      return invalid;
    },
    get rows() {
      return rows;
    },
    append(cells) {
      for (let j = 0; j < builders.length; j++) builders[j].append(convert[j](cells[j]));
      rows++;
    },
    flush() {
      const children = builders.map((b, j) => retype(b.finish().flush(), j));
      const data = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
      const batch = new RecordBatch(schema, data);
      builders = newBuilders();
      rows = 0;
      return batch;
    },
  };
}

export function createArrowSink(target: ByteTarget, columns: readonly SinkColumn[], kind: 'file' | 'stream', options: SinkOptions = {}): RowSink {
  // Reported by the first write()/finish(), so the caller's abort() removes the temp file.
  const builder = arrowBatchBuilder(columns, options);
  const batchRows = options.arrowBatchRows ?? 65536;
  const writer = kind === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
  writer.reset(undefined, builder.schema);
  let pumpError: unknown = null;
  const pump = (async () => {
    try {
      for await (const chunk of writer) await target.write(chunk);
    } catch (e) {
      pumpError ??= e;
    }
  })();

  const check = (): void => {
    if (builder.invalid) throw builder.invalid;
    if (pumpError) throw pumpError;
  };

  return {
    async write(cells) {
      check();
      builder.append(cells);
      if (builder.rows >= batchRows) {
        writer.write(builder.flush());
        // Let the pump drain what was just written.
        await new Promise<void>((r) => setImmediate(r));
        check();
      }
    },
    async finish() {
      check();
      if (builder.rows > 0) writer.write(builder.flush());
      writer.finish();
      await pump;
      check();
      await target.commit();
    },
    async abort() {
      try {
        writer.abort();
      } catch {
        /* already closed */
      }
      await pump.catch(() => undefined);
      await target.abort();
    },
  };
}
