/**
 * Arrow IPC files written by another implementation (polars, fixtures/arrow/) read correctly:
 * every int width, floats, bools, Utf8 / LargeUtf8 / Utf8View, dictionary strings, nulls; exact
 * values through openSource + scanTable and through the CLI (in-process); Arrow output keeps the
 * input's column types; compressed bodies fail with a clear data error. Arrow on stdin needs a
 * real process: test/e2e/io.test.ts.
 */
import { open as openFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { arrowCompression, decimalText } from '../../../src/io/arrow-read.js';
import type { Cell } from '../../../src/io/batch.js';
import { openSource } from '../../../src/io/source.js';
import { scanTable } from '../../../src/dataset/scan.js';
import { ROOT, tempDir } from '../../helpers/cli.js';
import { runCli } from '../../helpers/cli-in-process.js';

const FIX = join(ROOT, 'fixtures', 'arrow');
const fx = (name: string): string => join(FIX, name);
const { dir, cleanup } = tempDir('rebalance-arrow-interop-');
afterAll(cleanup);

const COLUMNS = ['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'f32', 'f64', 'flag', 'city', 'cat', 'note', 'label'];
const SP = 'São Paulo de Piratininga';
const note = (i: number): string => (i % 3 === 0 ? `=cmd ${i}, "quoted" and a longer tail #${i}` : `note ${i} 👍`);
const LABELS = ['neg', 'neg', 'pos', 'neg', 'neg', 'neg', 'pos', 'neg', 'neg', 'neg', 'pos', 'neg'];
const I64 = [-9223372036854775808n, 9223372036854775807n, 0n, 4n, -4n, 9007199254740993n, 6000n, 7000n, 8000n, 9000n, 10000n, 11000n];
const U64 = [0n, 18446744073709551615n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n];
const F32 = [0.1, -2.5, 3.25, 1e-7, 16777217, 0, -0, 7.5, 8.5, 9.5, 10.5, 11.5].map(Math.fround);
const F64 = [0.1, 1e-300, 123456.789, -0.5, 1e21, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5];
const CITY = ['Oslo', 'Zürich', SP, 'Oslo', 'Zürich', 'Oslo', SP, 'Oslo', 'Zürich', 'Oslo', 'Oslo', 'Zürich'];
const CAT = ['red', 'green', 'blue', 'red', 'red', 'green', 'blue', 'red', 'green', 'red', 'blue', 'red'];
const small = (min: number, max: number, rest: number[]): number[] => [min, max, ...rest];

/** The `types` fixtures' rows, as apache-arrow returns them (bigint for 64-bit ints). */
const TYPES_ROWS: Cell[][] = Array.from({ length: 12 }, (_, i) => [
  small(-128, 127, [0, 1, -1, 5, 6, 7, 8, 9, 10, 11])[i],
  small(-32768, 32767, [0, 2, -2, 50, 60, 70, 80, 90, 100, 110])[i],
  small(-2147483648, 2147483647, [0, 3, -3, 500, 600, 700, 800, 900, 1000, 1100])[i],
  I64[i],
  small(0, 255, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])[i],
  small(0, 65535, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])[i],
  small(0, 4294967295, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])[i],
  U64[i],
  F32[i],
  F64[i],
  i % 2 === 0,
  CITY[i],
  CAT[i],
  note(i),
  LABELS[i],
]);

/** CSV text of each `types` row as rebalance must write it (shortest float32 forms, digits for 1e21). */
const F32_TEXT = ['0.1', '-2.5', '3.25', '1e-7', '16777216', '0', '0', '7.5', '8.5', '9.5', '10.5', '11.5'];
const F64_TEXT = ['0.1', '1e-300', '123456.789', '-0.5', '1000000000000000000000', '2.5', '3.5', '4.5', '5.5', '6.5', '7.5', '8.5'];
function csvLine(i: number): string {
  const r = TYPES_ROWS[i];
  const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [r[0], r[1], r[2], I64[i], r[4], r[5], r[6], U64[i], F32_TEXT[i], F64_TEXT[i], r[10], r[11], r[12], q(note(i)), r[14]].map(String).join(',');
}

/** The `nulls` fixtures: row j < 14 has a null in column j; values repeat the `types` rows. */
const NULL_LABELS = [0n, 0n, 1n, 0n, 0n, 0n, 1n, 0n, 0n, 0n, 1n, 0n, 0n, 0n, 0n, 1n, 0n, 0n, 1n, 0n];
const NULLS_ROWS: Cell[][] = Array.from({ length: 20 }, (_, i) => [
  ...TYPES_ROWS[i % 12].slice(0, 14).map((v, j) => (j === i ? null : v)),
  NULL_LABELS[i],
]);

async function readAll(path: string): Promise<{ columns: readonly string[]; types: string[]; rows: Cell[][]; format: string }> {
  const src = await openSource(path, { batchSize: 5 });
  try {
    const rows: Cell[][] = [];
    let expectOffset = 0;
    for await (const b of src.batches()) {
      expect(b.offset).toBe(expectOffset);
      expect(b.rows.length).toBeLessThanOrEqual(5);
      expectOffset += b.rows.length;
      rows.push(...b.rows);
    }
    return { columns: src.columns, types: src.arrowSchema!.fields.map((f) => String(f.type)), rows, format: src.format };
  } finally {
    await src.close();
  }
}

/** Arrow type names per column for a given string flavour. */
function typeNames(str: 'Utf8View' | 'LargeUtf8', label: string): string[] {
  return ['Int8', 'Int16', 'Int32', 'Int64', 'Uint8', 'Uint16', 'Uint32', 'Uint64', 'Float32', 'Float64', 'Bool', str, `Dictionary<Uint32, ${str}>`, str, label];
}

const TYPES_FIXTURES = [
  { file: 'polars-types.arrow', str: 'Utf8View' as const },
  { file: 'polars-types.arrows', str: 'LargeUtf8' as const },
  { file: 'polars-types-oldest.arrow', str: 'LargeUtf8' as const },
];

function expectSameRows(actual: Cell[][], expected: Cell[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    expect(row.length, `row ${i}`).toBe(expected[i].length);
    row.forEach((v, j) => {
      const e = expected[i][j];
      // Exact: bigint stays bigint, float32 is the stored float32 value, -0 is a zero.
      if (typeof e === 'number') expect(typeof v === 'number' && (v === e || (v === 0 && e === 0)), `row ${i} col ${COLUMNS[j]}: ${String(v)} vs ${String(e)}`).toBe(true);
      else expect(v, `row ${i} col ${COLUMNS[j]}`).toEqual(e);
    });
  });
}

function tableRows(t: Table): Cell[][] {
  const cols = t.schema.fields.map((_, j) => t.getChildAt(j)!);
  return Array.from({ length: t.numRows }, (_, i) => cols.map((c) => c.get(i) as Cell));
}

describe('reading polars-written Arrow IPC through openSource', () => {
  for (const { file, str } of TYPES_FIXTURES) {
    it(`${file}: schema (${str} strings) and exact values of every type`, async () => {
      const r = await readAll(fx(file));
      expect(r.format).toBe('arrow');
      expect(r.columns).toEqual(COLUMNS);
      expect(r.types).toEqual(typeNames(str, str));
      expectSameRows(r.rows, TYPES_ROWS);
      expect(typeof r.rows[1][3]).toBe('bigint');
      expect(typeof r.rows[1][7]).toBe('bigint');
    });
  }

  for (const file of ['polars-nulls.arrow', 'polars-nulls.arrows']) {
    it(`${file}: a null in every column reads as null (never 0 or '')`, async () => {
      const r = await readAll(fx(file));
      expect(r.types[14]).toBe('Int64');
      expectSameRows(r.rows, NULLS_ROWS);
      for (let j = 0; j < 14; j++) expect(r.rows[j][j], COLUMNS[j]).toBeNull();
    });
  }
});

describe('scanTable on polars-written Arrow', () => {
  for (const { file } of TYPES_FIXTURES) {
    it(`${file}: kinds from the Arrow types, categories, label codes`, async () => {
      const src = await openSource(fx(file));
      try {
        const p = await scanTable(src);
        expect(p.format).toBe('arrow');
        expect(p.columns.map((c) => c.kind)).toEqual(['int', 'int', 'int', 'int', 'int', 'int', 'int', 'int', 'float', 'float', 'bool', 'categorical', 'categorical', 'text', 'categorical']);
        expect(p.columns.map((c) => c.role)).toEqual([...Array(13).fill('feature'), 'passthrough', 'label']);
        expect(p.columns[11].categories).toEqual(['Oslo', SP, 'Zürich']);
        expect(p.columns[12].categories).toEqual(['blue', 'green', 'red']);
        expect(p.columns[0]).toMatchObject({ missing: 0, nonFinite: 0 });
        expect(p.labelIndex).toBe(14);
        expect(p.classNames).toEqual(['neg', 'pos']);
        expect([...p.counts]).toEqual([9, 3]);
        expect([...p.labels]).toEqual(LABELS.map((l) => (l === 'pos' ? 1 : 0)));
        expect(p.rowsRead).toBe(12);
        expect(String(p.labelType)).toBe(String(src.arrowSchema!.fields[14].type));
      } finally {
        await src.close();
      }
    });
  }

  it('a null in a feature is a missing-value data error naming row and column', async () => {
    for (const file of ['polars-nulls.arrow', 'polars-nulls.arrows']) {
      const src = await openSource(fx(file));
      try {
        const e = await scanTable(src).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(DataError);
        expect(e).toMatchObject({ code: 'REBALANCE_MISSING', where: { row: 1, column: 'i8' } });
      } finally {
        await src.close();
      }
    }
  });

  it('--missing drop drops the rows with a null feature, keeps a null in pass-through text', async () => {
    const src = await openSource(fx('polars-nulls.arrows'));
    try {
      const p = await scanTable(src, { missing: 'drop' });
      // Rows 0..12 hold a null in one of the 13 feature columns; row 13's null is in 'note'.
      expect(p.droppedMissing).toBe(13);
      expect(p.nRows).toBe(7);
      expect(p.columns.map((c) => c.missing)).toEqual([...Array(14).fill(1), 0]);
      expect(p.classNames).toEqual(['0', '1']);
      expect([...p.counts]).toEqual([5, 2]);
      expect([...p.labels]).toEqual([...Array(13).fill(-1), 0, 0, 1, 0, 0, 1, 0]);
    } finally {
      await src.close();
    }
  });
});

describe('compressed Arrow IPC', () => {
  it('arrowCompression names the codec of compressed files and null for uncompressed ones', async () => {
    const codec = async (f: string): Promise<string | null> => {
      const h = await openFile(fx(f), 'r');
      try {
        return await arrowCompression(h);
      } finally {
        await h.close();
      }
    };
    expect(await codec('polars-zstd.arrow')).toBe('zstd');
    expect(await codec('polars-lz4.arrows')).toBe('lz4');
    // polars' default (the types/nulls fixtures) is uncompressed.
    expect(await codec('polars-types.arrow')).toBeNull();
    expect(await codec('polars-nulls.arrows')).toBeNull();
  });

  for (const [file, codec] of [
    ['polars-zstd.arrow', 'zstd'],
    ['polars-lz4.arrows', 'lz4'],
  ] as const) {
    it(`${file}: a DataError saying ${codec} compression is not supported and how to fix it`, async () => {
      const e = await (async () => {
        const src = await openSource(fx(file));
        try {
          return await scanTable(src);
        } finally {
          await src.close();
        }
      })().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).code).toBe('REBALANCE_ARROW_COMPRESSED');
      expect((e as DataError).message).toContain(`compressed Arrow IPC (${codec}) is not supported`);
      expect((e as DataError).message).toContain('compression="uncompressed"');
      expect((e as DataError).message).not.toContain('\n');
    });
  }

  it('through the CLI: exit 3 and the one-line message', async () => {
    const r = await runCli(['resample', fx('polars-zstd.arrow'), '-m', 'random-over', '-q', '-o', join(dir, 'zstd.csv')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('compressed Arrow IPC (zstd) is not supported');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the CLI on polars-written Arrow', () => {
  it('inspect --json reports the Arrow types, roles, classes', async () => {
    for (const { file, str } of TYPES_FIXTURES) {
      const r = await runCli(['inspect', fx(file), '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ format: 'arrow', rows: 12, rowsDropped: 0, label: 'label', minority: 'pos', majority: 'neg', imbalanceRatio: 3 });
      expect(j.classes).toEqual([
        { name: 'neg', count: 9, share: 0.75 },
        { name: 'pos', count: 3, share: 0.25 },
      ]);
      expect(j.columns.map((c: { name: string }) => c.name)).toEqual(COLUMNS);
      expect(j.columns.map((c: { type: string }) => c.type)).toEqual(
        typeNames(str, str).map((t, k) => `${['int', 'int', 'int', 'int', 'int', 'int', 'int', 'int', 'float', 'float', 'bool', 'categorical', 'categorical', 'text', 'categorical'][k]} (${t})`),
      );
      expect(j.features).toEqual(COLUMNS.slice(0, 11));
    }
  });

  it('resample -m random-over --format csv: original rows exactly, then pos copies', async () => {
    for (const { file } of TYPES_FIXTURES) {
      const csvOut = join(dir, `${file}.csv-out`);
      const r = await runCli(['resample', fx(file), '-m', 'random-over', '--format', 'csv', '-q', '-o', csvOut]);
      expect(r.code, r.stderr).toBe(0);
      const lines = readFileSync(csvOut, 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      expect(lines[0]).toBe(COLUMNS.join(','));
      const data = lines.slice(1);
      expect(data).toHaveLength(18);
      expect(data.slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, i) => csvLine(i)));
      const pos = new Set([2, 6, 10].map(csvLine));
      for (const l of data.slice(12)) expect(pos.has(l), l).toBe(true);
    }
  });

  for (const { file, str } of TYPES_FIXTURES) {
    for (const fmt of ['arrow', 'arrows'] as const) {
      it(`resample ${file} --format ${fmt}: output keeps every column type and value`, async () => {
        const out = join(dir, `${file}.${fmt}`);
        const r = await runCli(['resample', fx(file), '-m', 'random-over', '--format', fmt, '-o', out, '-q', '--seed', '7']);
        expect(r.code, r.stderr).toBe(0);
        const bytes = readFileSync(out);
        expect(bytes.subarray(0, 6).toString('latin1') === 'ARROW1').toBe(fmt === 'arrow');
        const t = tableFromIPC(bytes);
        expect(t.schema.fields.map((f) => f.name)).toEqual(COLUMNS);
        expect(t.schema.fields.map((f) => String(f.type))).toEqual(typeNames(str, str));
        expect(t.schema.metadata.get('rebalance.seed')).toBe('7');
        const rows = tableRows(t);
        expect(rows).toHaveLength(18);
        expectSameRows(rows.slice(0, 12), TYPES_ROWS);
        const posRows = [2, 6, 10].map((i) => TYPES_ROWS[i]);
        for (const row of rows.slice(12)) {
          expect(row[14]).toBe('pos');
          expect(posRows.some((p) => p[13] === row[13])).toBe(true);
          expectSameRows([row], [posRows.find((p) => p[13] === row[13])!]);
        }
      });
    }
  }

  it('nulls: exit 3 naming row and column by default; --missing drop keeps types and the null text', async () => {
    const bad = await runCli(['resample', fx('polars-nulls.arrow'), '-m', 'smote', '-q', '-o', join(dir, 'nulls-bad.csv')]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/row 1.*'i8'.*--missing drop/);
    for (const [file, str] of [
      ['polars-nulls.arrow', 'Utf8View'],
      ['polars-nulls.arrows', 'LargeUtf8'],
    ] as const) {
      const out = join(dir, `${file}.out.arrow`);
      const r = await runCli(['resample', fx(file), '-m', 'random-over', '--missing', 'drop', '-o', out, '-q']);
      expect(r.code, r.stderr).toBe(0);
      const t = tableFromIPC(readFileSync(out));
      expect(t.schema.fields.map((f) => String(f.type))).toEqual(typeNames(str, 'Int64'));
      const rows = tableRows(t);
      expect(rows).toHaveLength(10);
      expectSameRows(rows.slice(0, 7), NULLS_ROWS.slice(13));
      expect(rows[0][13]).toBeNull();
      expect(rows.slice(7).every((row) => row[14] === 1n)).toBe(true);
      const csvOut = join(dir, `${file}.out.csv`);
      const csv = await runCli(['resample', fx(file), '-m', 'random-over', '--missing', 'drop', '--format', 'csv', '-q', '-o', csvOut]);
      expect(csv.code, csv.stderr).toBe(0);
      const first = readFileSync(csvOut, 'utf8').split('\n')[1].split(',');
      expect(first[13]).toBe('');
      expect(first[14]).toBe('0');
    }
  });

  it('Arrow output read back through openSource + scanTable gives the same profile', async () => {
    const out = join(dir, 'roundtrip.arrow');
    const r = await runCli(['resample', fx('polars-types.arrow'), '-m', 'random-over', '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const [a, b] = await Promise.all(
      [fx('polars-types.arrow'), out].map(async (p) => {
        const src = await openSource(p);
        try {
          return await scanTable(src);
        } finally {
          await src.close();
        }
      }),
    );
    const shape = (p: typeof a): unknown => p.columns.map((c) => [c.name, c.kind, c.role, String(c.arrowType), c.categories]);
    expect(shape(b)).toEqual(shape(a));
    expect([...b.counts]).toEqual([9, 9]);
  });
});

/** Stored integers of a date/time column, read straight from the Arrow buffers. */
function storedValues(t: Table, name: string): (number | bigint | null)[] {
  const out: (number | bigint | null)[] = [];
  const col = t.getChild(name)!;
  for (const d of col.data) {
    const v = d.values as Int32Array | BigInt64Array;
    for (let i = 0; i < d.length; i++) out.push(d.getValid(i) ? v[i] : null);
  }
  return out;
}

describe('dates, timestamps, decimals, lists and structs (polars-temporal.arrow)', () => {
  const T = fx('polars-temporal.arrow');
  const DAYS = [19724, 19722, null, -165, 11016, 0];
  const MS = [1704164645678n, -1n, 0n, null, 951782400000n, 1n];
  const US = [1704164645678123n, -1n, 0n, null, 951782400000001n, 999n];
  const NS = [1704164645678123456n, 1n, 0n, null, -1n, 951782400000000001n];
  const DEC = ['1.00', '-0.05', '123.45', null, '0.00', '-1234.50'];

  it('decimalText applies the scale exactly', () => {
    expect(decimalText(100n, 2)).toBe('1.00');
    expect(decimalText(-5n, 2)).toBe('-0.05');
    expect(decimalText(-5n, 3)).toBe('-0.005');
    expect(decimalText(0n, 2)).toBe('0.00');
    expect(decimalText(123456789012345678901234567890n, 10)).toBe('12345678901234567890.1234567890');
    expect(decimalText(12n, 0)).toBe('12');
    expect(decimalText(12n, -2)).toBe('1200');
  });

  it('cells: stored integers for date/time (exact below a millisecond), scaled decimal text, lists, structs', async () => {
    const src = await openSource(T);
    try {
      expect(src.arrowSchema!.fields.map((f) => String(f.type))).toEqual([
        'Float64',
        'Date32<DAY>',
        'Timestamp<MILLISECOND>',
        'Timestamp<MICROSECOND>',
        'Timestamp<NANOSECOND>',
        'Decimal[10e+2]',
        'LargeList<Int32>',
        'LargeList<Utf8View>',
        'Struct<{x:Float64, label:Utf8View}>',
        'Utf8View',
      ]);
      const rows: Cell[][] = [];
      for await (const b of src.batches()) rows.push(...b.rows);
      expect(rows.map((r) => r[1])).toEqual(DAYS);
      expect(rows.map((r) => r[2])).toEqual(MS);
      expect(rows.map((r) => r[3])).toEqual(US);
      expect(rows.map((r) => r[4])).toEqual(NS);
      expect(rows.map((r) => (r[5] === null ? null : String(r[5])))).toEqual(DEC);
      expect(rows.map((r) => (r[6] === null ? null : Array.from(r[6] as Iterable<number>)))).toEqual([[1, 2], [3], [], null, [4, 5, 6], [-7]]);
      expect(rows.map((r) => (r[8] as { toJSON(): unknown }).toJSON())).toEqual([1, 2, 3, 4, 5, 6].map((x, i) => ({ x, label: ['a', 'a', 'b', 'a', 'b', 'a'][i] })));
      const p = await scanTable(src);
      expect(p.columns.map((c) => `${c.name}:${c.role}`)).toEqual([
        'x:feature',
        'd:passthrough',
        'tms:passthrough',
        'tus:passthrough',
        'tns:passthrough',
        'dec:passthrough',
        'lst:passthrough',
        'slst:passthrough',
        'st:passthrough',
        'label:label',
      ]);
      expect(p.columns[1].missing).toBe(1);
    } finally {
      await src.close();
    }
  });

  it('Arrow -> Arrow keeps every stored value and type (timestamps to the nanosecond)', async () => {
    for (const fmt of ['arrow', 'arrows']) {
      const out = join(dir, `temporal.${fmt}`);
      const r = await runCli(['resample', T, '-m', 'random-over', '--format', fmt, '-o', out, '-q']);
      expect(r.code, r.stderr).toBe(0);
      const a = tableFromIPC(readFileSync(T));
      const b = tableFromIPC(readFileSync(out));
      expect(b.schema.fields.map((f) => String(f.type))).toEqual(a.schema.fields.map((f) => String(f.type)));
      expect(b.numRows).toBe(8);
      for (const name of ['d', 'tms', 'tus', 'tns']) expect(storedValues(b, name).slice(0, 6), name).toEqual(storedValues(a, name));
      const firstSix = (t: Table, name: string): unknown[] =>
        Array.from({ length: 6 }, (_, i) => {
          const v = t.getChild(name)!.get(i) as { toJSON?: () => unknown; toArray?: () => unknown } | null;
          return v === null ? null : name === 'dec' ? Array.from(v as unknown as Uint32Array) : v.toJSON ? v.toJSON() : Array.from(v as unknown as Iterable<unknown>);
        });
      for (const name of ['dec', 'lst', 'slst', 'st']) expect(firstSix(b, name), name).toEqual(firstSix(a, name));
      // The two added rows are copies of the 'b' rows (2 and 4).
      expect(storedValues(b, 'tns').slice(6).every((v) => v === NS[2] || v === NS[4])).toBe(true);
    }
  });

  it('CSV output: date/time as ISO 8601 (exact to the unit), decimals with their scale', async () => {
    const out = join(dir, 'temporal.csv');
    const r = await runCli(['resample', T, '-m', 'random-over', '--format', 'csv', '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines[0]).toBe('x,d,tms,tus,tns,dec,lst,slst,st,label');
    // Stored 19724 days, 1704164645678 ms, ...123 us, ...123456 ns; -165 days; 0, 1 ms, 999 us, 951782400000000001 ns.
    expect(lines[1].startsWith('1,2024-01-02,2024-01-02T03:04:05.678,2024-01-02T03:04:05.678123,2024-01-02T03:04:05.678123456,1.00,"[1,2]",')).toBe(true);
    expect(lines[4].startsWith('4,1969-07-20,,,,,,,')).toBe(true);
    expect(lines[6].startsWith('6,1970-01-01,1970-01-01T00:00:00.001,1970-01-01T00:00:00.000999,2000-02-29T00:00:00.000000001,-1234.50,[-7],"[e, f]",')).toBe(true);
  });

  it('a date inside a list cannot be written exactly: Arrow output refused (exit 3, no file), CSV works', async () => {
    const out = join(dir, 'nested.arrow');
    const r = await runCli(['resample', fx('polars-nested-temporal.arrow'), '-m', 'random-over', '-o', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Arrow output of Date32<DAY> inside a list or struct (column 'ld') is not supported");
    expect(r.stderr).toContain('REBALANCE_ARROW_TYPE');
    expect(readdirSync(dir).filter((n) => n.startsWith('nested.arrow') || n.startsWith('.nested.arrow'))).toEqual([]);
    const csvOut = join(dir, 'nested.csv');
    const c = await runCli(['resample', fx('polars-nested-temporal.arrow'), '-m', 'random-over', '--format', 'csv', '-o', csvOut, '-q']);
    expect(c.code, c.stderr).toBe(0);
    expect(readFileSync(csvOut, 'utf8').split('\n')[1]).toBe('1,"[1704153600000,1704153600000]",a');
  });
});
