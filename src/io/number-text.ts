/**
 * Numbers as CSV text in WebAssembly (assembly/dtoa.ts): the same bytes as cells.ts formatNumber
 * (shortest round-trip digits, ECMAScript layout), whole blocks at a time, so no JavaScript string
 * is built per number.
 * - formatNumbersText: many doubles, one call per block (tests, benchmarks);
 * - GeneratedLines: the CSV lines of generated rows from a column program (numbers, rounded
 *   numbers, fixed cells picked by value or class: labels, booleans, categories; provenance
 *   columns). Values of 1e21 or more in magnitude are left to JavaScript (formatNumber writes them
 *   as full integers): the kernels stop before them and say where.
 * Each GeneratedLines owns its instance and memory, so concurrent jobs in one process never share
 * buffers. Ryu's power-of-5 tables are computed here once (BigInt) and copied into each memory.
 */
import { embeddedWasmLoader, wasmApi, type WasmMemory } from '../core/wasm.js';
import { cellText } from './cells.js';

/** Compiles the embedded number-text kernels once; BackendUnavailableError when not built or unsupported. */
const loadDtoaWasm = embeddedWasmLoader('number-text kernels', 'src/io/wasm/dtoa-wasm.generated.ts', 'MVP', async () => {
  const specifier = './wasm/dtoa-wasm.generated.js';
  const gen = (await import(specifier)) as { DTOA_WASM_BASE64: string; DTOA_WASM_MAX_PAGES: number };
  return { base64: gen.DTOA_WASM_BASE64, maxPages: gen.DTOA_WASM_MAX_PAGES };
});

interface DtoaExports {
  init(inv: number, pos: number, pairs: number): void;
  done(): number;
  formatMany(values: number, count: number, sep: number, out: number): number;
  formatRows(
    prog: number,
    cols: number,
    snips: number,
    values: number,
    width: number,
    codes: number,
    sources: number,
    neighbors: number,
    rows: number,
    provenance: number,
    delim: number,
    out: number,
  ): number;
}

/** Ryu's tables: 5^-q (q < 342) and 5^i (i < 326) as 128-bit fixed point, two little-endian u64 each. */
const INV_SIZE = 342;
const POS_SIZE = 326;
/** First byte laid out here (below it: the module's own static data, if any). */
const BASE = 65536;
/** Tables, digit pairs and scratch, rounded up. */
const FIXED_BYTES = 16384;
/** The longest text of a finite double below 1e21: '-' + 17 digits + '.' + 'e-' + 3 digits, or '-0.00000' + 17 digits. */
export const MAX_NUMBER_BYTES = 25;

let tables: Uint8Array | undefined;
function ryuTables(): Uint8Array {
  if (tables) return tables;
  const bytes = new Uint8Array((INV_SIZE + POS_SIZE) * 16);
  const view = new DataView(bytes.buffer);
  const mask = (1n << 64n) - 1n;
  const put = (entry: number, v: bigint): void => {
    view.setBigUint64(entry * 16, v & mask, true);
    view.setBigUint64(entry * 16 + 8, v >> 64n, true);
  };
  let p5 = 1n;
  for (let i = 0; i < Math.max(INV_SIZE, POS_SIZE); i++) {
    const bits = p5.toString(2).length;
    if (i < INV_SIZE) put(i, (1n << BigInt(bits - 1 + 125)) / p5 + 1n);
    if (i < POS_SIZE) put(INV_SIZE + i, bits <= 125 ? p5 << BigInt(125 - bits) : p5 >> BigInt(bits - 125));
    p5 *= 5n;
  }
  return (tables = bytes);
}

/** An instance with `bytes` of working memory from `start`; tables initialised. */
async function instantiate(bytes: number): Promise<{ x: DtoaExports; memory: WasmMemory; start: number }> {
  const wasm = await loadDtoaWasm();
  const start = BASE + FIXED_BYTES;
  const pages = Math.ceil((start + bytes) / 65536);
  if (pages > wasm.maxPages) throw new RangeError(`number-text: ${bytes} bytes of working memory exceed the kernels' limit`);
  const memory = new wasmApi.Memory({ initial: pages, maximum: wasm.maxPages });
  const instance = new wasmApi.Instance(wasm.module, { env: { memory } });
  const x = instance.exports as DtoaExports;
  const t = ryuTables();
  new Uint8Array(memory.buffer, BASE, t.length).set(t);
  x.init(BASE, BASE + INV_SIZE * 16, BASE + t.length);
  return { x, memory, start };
}

let shared: Promise<{ x: DtoaExports; memory: WasmMemory; start: number }> | undefined;
const MANY_BLOCK = 65536;

/**
 * The text of `values` as formatNumber / cellText write each (NaN as 'NaN'), each followed by
 * `separator` (one byte), from WebAssembly in blocks.
 */
export async function formatNumbersText(values: Float64Array, separator = '\n'): Promise<string> {
  shared ??= instantiate(MANY_BLOCK * (8 + MAX_NUMBER_BYTES + 1));
  const { x, memory, start } = await shared;
  const valuesAt = start;
  const outAt = start + MANY_BLOCK * 8;
  const sep = separator.charCodeAt(0);
  const parts: string[] = [];
  for (let from = 0; from < values.length; ) {
    const n = Math.min(MANY_BLOCK, values.length - from);
    new Float64Array(memory.buffer, valuesAt, n).set(values.subarray(from, from + n));
    let i = 0;
    while (i < n) {
      const len = x.formatMany(valuesAt + i * 8, n - i, sep, outAt);
      parts.push(Buffer.from(memory.buffer as ArrayBuffer, outAt, len).toString('latin1'));
      i += x.done();
      if (i < n) parts.push(cellText(values[from + i++]) + separator);
    }
    from += n;
  }
  return parts.join('');
}

// ---------------------------------------------------------------- generated rows

/** How generated rows fill one output column (fixed texts already CSV-formatted, as UTF-8). */
export type LineColumn =
  | { readonly op: 'number'; readonly slot: number }
  | { readonly op: 'round'; readonly slot: number }
  | { readonly op: 'bool'; readonly slot: number; readonly texts: readonly [Uint8Array, Uint8Array] }
  | { readonly op: 'category'; readonly slot: number; readonly texts: readonly Uint8Array[] }
  | { readonly op: 'label'; readonly texts: readonly Uint8Array[] }
  | { readonly op: 'const'; readonly text: Uint8Array };

export interface LineProgram {
  readonly columns: readonly LineColumn[];
  /** Values per generated row. */
  readonly width: number;
  /** The delimiter (one ASCII byte). */
  readonly delimiter: number;
  /** Append delimiter '1' delimiter source delimiter neighbour (empty when < 0). */
  readonly provenance: boolean;
}

const OPS = { number: 0, round: 1, bool: 2, category: 3, label: 4, const: 5 } as const;
/** Bytes of lines per block (the block's rows are as many as fit at their longest). */
const LINE_BLOCK_BYTES = 1 << 20;
const MAX_BLOCK_ROWS = 8192;

/** Formats generated rows into CSV lines in WebAssembly, a block of rows per call. */
export class GeneratedLines {
  /** Rows per block. */
  readonly capacity: number;
  /** Values of the block's rows, row-major (capacity x width): the caller fills them. */
  readonly values: Float64Array;
  /** Class code, provenance source row and neighbour row (-1: none) of each row of the block. */
  readonly codes: Int32Array;
  readonly sources: Int32Array;
  readonly neighbors: Int32Array;

  private constructor(
    private readonly x: DtoaExports,
    private readonly memory: WasmMemory,
    private readonly at: { prog: number; snips: number; values: number; codes: number; sources: number; neighbors: number; out: number },
    private readonly program: LineProgram,
    capacity: number,
  ) {
    this.capacity = capacity;
    const buf = memory.buffer as ArrayBuffer;
    this.values = new Float64Array(buf, at.values, capacity * program.width);
    this.codes = new Int32Array(buf, at.codes, capacity);
    this.sources = new Int32Array(buf, at.sources, capacity);
    this.neighbors = new Int32Array(buf, at.neighbors, capacity);
  }

  static async create(program: LineProgram): Promise<GeneratedLines> {
    const texts: Uint8Array[] = [];
    const words: number[] = [];
    let longest = 0;
    for (const c of program.columns) {
      const own = c.op === 'number' || c.op === 'round' ? [] : c.op === 'const' ? [c.text] : c.texts;
      const slot = c.op === 'label' || c.op === 'const' ? 0 : c.slot;
      words.push(OPS[c.op], slot, texts.length, own.length);
      texts.push(...own);
      longest += own.length ? Math.max(...own.map((t) => t.length)) : MAX_NUMBER_BYTES;
    }
    const cols = program.columns.length;
    // Delimiters, line break, provenance (delim 1 delim int32 delim int32).
    const lineMax = longest + cols + 1 + (program.provenance ? 4 + 2 * 11 : 0);
    const capacity = Math.max(1, Math.min(MAX_BLOCK_ROWS, Math.floor(LINE_BLOCK_BYTES / lineMax)));
    const textBytes = texts.reduce((s, t) => s + t.length, 0);
    const align = (n: number): number => Math.ceil(n / 16) * 16;
    let p = 0;
    const take = (bytes: number): number => {
      const at = p;
      p += align(bytes);
      return at;
    };
    const rel = {
      prog: take(words.length * 4),
      snips: take(texts.length * 8),
      text: take(textBytes),
      values: take(capacity * program.width * 8),
      codes: take(capacity * 4),
      sources: take(capacity * 4),
      neighbors: take(capacity * 4),
      out: take(capacity * lineMax),
    };
    const { x, memory, start } = await instantiate(p);
    const buf = memory.buffer as ArrayBuffer;
    new Int32Array(buf, start + rel.prog, words.length).set(words);
    const snips = new Uint32Array(buf, start + rel.snips, texts.length * 2);
    const bytes = new Uint8Array(buf);
    let t = start + rel.text;
    texts.forEach((s, i) => {
      snips[2 * i] = t;
      snips[2 * i + 1] = s.length;
      bytes.set(s, t);
      t += s.length;
    });
    const at = {
      prog: start + rel.prog,
      snips: start + rel.snips,
      values: start + rel.values,
      codes: start + rel.codes,
      sources: start + rel.sources,
      neighbors: start + rel.neighbors,
      out: start + rel.out,
    };
    return new GeneratedLines(x, memory, at, program, capacity);
  }

  /**
   * Writes the lines of block rows [from, to) and returns their bytes (a view, valid until the
   * next call) and the rows written: fewer than asked when row `from + rows` has a number of
   * magnitude 1e21 or more (the caller writes that row another way and continues after it).
   */
  format(from: number, to: number): { bytes: Uint8Array; rows: number } {
    const { x, at, program } = this;
    const len = x.formatRows(
      at.prog,
      program.columns.length,
      at.snips,
      at.values + from * program.width * 8,
      program.width,
      at.codes + from * 4,
      at.sources + from * 4,
      at.neighbors + from * 4,
      to - from,
      program.provenance ? 1 : 0,
      program.delimiter,
      at.out,
    );
    return { bytes: new Uint8Array(this.memory.buffer as ArrayBuffer, at.out, len), rows: x.done() };
  }
}
