/**
 * Arrow IPC output (file or stream format) with the input's column types, fixed-size record
 * batches and schema metadata (seed, method). Cells are converted to each column's type.
 */
import {
  DataType,
  Field,
  makeBuilder,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  type Builder,
} from 'apache-arrow';
import { classifyBool } from '../dataset/numbers.js';
import type { Cell } from './batch.js';
import { cellText } from './csv-write.js';
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
  return (v) => (v === undefined ? null : v);
}

export function createArrowSink(target: ByteTarget, columns: readonly SinkColumn[], kind: 'file' | 'stream', options: SinkOptions = {}): RowSink {
  const fields = columns.map((c) => {
    if (!c.type) throw new Error(`internal: Arrow output column '${c.name}' has no type`);
    return new Field(c.name, c.type, c.nullable ?? true);
  });
  const schema = new Schema(fields, new Map(options.metadata ?? []));
  const convert = columns.map((c) => converterFor(c.type!));
  const batchRows = options.arrowBatchRows ?? 65536;
  const newBuilders = (): Builder[] => fields.map((f) => makeBuilder({ type: f.type, nullValues: [null, undefined] }));
  let builders = newBuilders();
  let rows = 0;
  const writer = kind === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  let pumpError: unknown = null;
  const pump = (async () => {
    try {
      for await (const chunk of writer) await target.write(chunk);
    } catch (e) {
      pumpError ??= e;
    }
  })();

  const flushBatch = (): void => {
    if (rows === 0 && builders.length === 0) return;
    const children = builders.map((b) => b.finish().flush());
    const data = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
    writer.write(new RecordBatch(schema, data));
    builders = newBuilders();
    rows = 0;
  };
  const check = (): void => {
    if (pumpError) throw pumpError;
  };

  return {
    async write(cells) {
      check();
      for (let j = 0; j < builders.length; j++) builders[j].append(convert[j](cells[j]));
      rows++;
      if (rows >= batchRows) {
        flushBatch();
        // Let the pump drain what was just written.
        await new Promise<void>((r) => setImmediate(r));
        check();
      }
    },
    async finish() {
      check();
      if (rows > 0) flushBatch();
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
