/**
 * The counting pass's field splitter over a batch of records: csv-cells.ts splitRecord for every
 * simple record of a range, into one slot layout (record i of the range, field j: slot
 * i * nCols + j), either in JavaScript or in the WebAssembly kernel of assembly/csv.ts (the same
 * fields, classes and values; the kernel is about 3-4x faster). Records with quotes or CRs are
 * the tokenizer's to split: their slots are left for the caller to fill.
 */
import { embeddedWasmLoader, wasmApi, type WasmMemory } from '../core/wasm.js';
import { splitRecord, type FieldRanges } from './csv-cells.js';
import type { CsvRecords } from './csv-tokenizer.js';

/** The fields of a range of records (see the module comment); nf: each record's field count. */
export interface SplitFields extends FieldRanges {
  readonly nf: Int32Array;
}

export interface FieldSplitter {
  /** Records per range: split() takes at most this many. */
  readonly group: number;
  /** Splits the simple records of recs[from, to) (to - from <= group); the views live until the next call. */
  split(recs: CsvRecords, from: number, to: number): SplitFields;
}

export interface SplitOptions {
  readonly delimiter: number;
  readonly nCols: number;
  /** Cells of at most this many bytes ending in a byte marked in naLast may be NA spellings. */
  readonly naMaxBytes: number;
  readonly naLast: Uint8Array;
}

/** Slots per range (about 17 bytes each). */
const SLOTS = 1 << 18;

const groupOf = (nCols: number): number => Math.max(1, Math.floor(SLOTS / Math.max(1, nCols)));

/** The JavaScript splitter (the reference, and the fallback without the kernel). */
export function jsSplitter(o: SplitOptions): FieldSplitter {
  const group = groupOf(o.nCols);
  const slots = group * o.nCols;
  const out: SplitFields = { start: new Int32Array(slots), end: new Int32Array(slots), cls: new Uint8Array(slots), value: new Float64Array(slots), nf: new Int32Array(group) };
  return {
    group,
    split(recs, from, to) {
      const { recStart, recEnd, fieldFrom, buf } = recs;
      for (let k = from; k < to; k++) {
        if (fieldFrom[k] >= 0) continue;
        const i = k - from;
        out.nf[i] = splitRecord(buf, recStart[k], recEnd[k], o.delimiter, o.nCols, out, o.naMaxBytes, o.naLast, i * o.nCols);
      }
      return out;
    },
  };
}

const loadCsvWasm = embeddedWasmLoader('CSV field splitter', 'src/io/wasm/csv-wasm.generated.ts', 'MVP', async () => {
  const specifier = './wasm/csv-wasm.generated.js';
  const gen = (await import(specifier)) as { CSV_WASM_BASE64: string; CSV_WASM_MAX_PAGES: number };
  return { base64: gen.CSV_WASM_BASE64, maxPages: gen.CSV_WASM_MAX_PAGES };
});

type SplitRecords = (
  buf: number, recs: number, nRecs: number, delim: number, nCols: number,
  starts: number, ends: number, cls: number, values: number, nfs: number, naMax: number, naLast: number,
) => void;

const PAGE = 65536;
const align = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * The WebAssembly splitter, or null when the kernel is not built or this runtime cannot run it
 * (the caller then uses jsSplitter). REBALANCE_CSV_WASM=0 turns it off.
 */
export async function wasmSplitter(o: SplitOptions): Promise<FieldSplitter | null> {
  if (process.env.REBALANCE_CSV_WASM === '0') return null;
  let module;
  let maxPages: number;
  try {
    ({ module, maxPages } = await loadCsvWasm());
  } catch {
    return null;
  }
  const group = groupOf(o.nCols);
  const slots = group * o.nCols;
  // Layout after the first page: naLast, the per-range regions, then the batch's bytes.
  const naAt = PAGE;
  const recsAt = naAt + 256;
  const startsAt = align(recsAt + 8 * group);
  const endsAt = align(startsAt + 4 * slots);
  const valuesAt = align(endsAt + 4 * slots);
  const nfsAt = align(valuesAt + 8 * slots);
  const clsAt = align(nfsAt + 4 * group);
  const bufAt = align(clsAt + slots);
  const memory: WasmMemory = new (wasmApi as unknown as { Memory: new (d: { initial: number; maximum: number }) => WasmMemory }).Memory({
    initial: Math.ceil((bufAt + (1 << 20) + PAGE) / PAGE),
    maximum: maxPages,
  });
  const kernel = (new wasmApi.Instance(module, { env: { memory } }).exports as { splitRecords: SplitRecords }).splitRecords;
  let mem = memory.buffer as ArrayBuffer;
  let views: SplitFields & { recs: Int32Array; bytes: Uint8Array };
  const makeViews = (): void => {
    mem = memory.buffer as ArrayBuffer;
    views = {
      recs: new Int32Array(mem, recsAt, 2 * group),
      start: new Int32Array(mem, startsAt, slots),
      end: new Int32Array(mem, endsAt, slots),
      value: new Float64Array(mem, valuesAt, slots),
      nf: new Int32Array(mem, nfsAt, group),
      cls: new Uint8Array(mem, clsAt, slots),
      bytes: new Uint8Array(mem),
    };
    views.bytes.set(o.naLast.subarray(0, 256), naAt);
  };
  makeViews();
  let copied: Buffer | null = null; // the batch whose bytes are in memory
  return {
    group,
    split(recs, from, to) {
      const n = to - from;
      if (copied !== recs.buf) {
        const len = recs.recEnd[recs.count - 1];
        const need = bufAt + len + 1;
        if (need > mem.byteLength) {
          const pages = Math.ceil((need - mem.byteLength) / PAGE);
          if (mem.byteLength / PAGE + pages > maxPages) throw new Error('internal: a CSV batch larger than the field splitter memory');
          memory.grow(pages);
        }
        if (memory.buffer !== mem) makeViews();
        views.bytes.set(recs.buf.subarray(0, len), bufAt);
        views.bytes[bufAt + len] = 10; // the last record's end byte (see assembly/csv.ts)
        copied = recs.buf;
      }
      const { recStart, recEnd } = recs;
      const r = views.recs;
      for (let i = 0; i < n; i++) {
        r[2 * i] = recStart[from + i];
        r[2 * i + 1] = recEnd[from + i];
      }
      kernel(bufAt, recsAt, n, o.delimiter, o.nCols, startsAt, endsAt, clsAt, valuesAt, nfsAt, o.naMaxBytes, naAt);
      return views;
    },
  };
}
