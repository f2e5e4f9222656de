/**
 * Parquet input and output (io/parquet-read.ts, io/parquet-write.ts) through the CLI in-process,
 * on the polars-written fixtures (scripts/make-parquet-fixtures.mjs). The output is read back with
 * parquet-wasm + apache-arrow and compared with what polars read back from it when the fixtures
 * were made (fixtures/parquet/expected.json).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tableFromIPC, Type, type Field, type Table } from 'apache-arrow';
import { Float64, Utf8 } from 'apache-arrow';
import { openFileTarget } from '../../../src/io/output.js';
import { loadParquetWasm, readParquetInfo } from '../../../src/io/parquet-read.js';
import { createSink } from '../../../src/io/sink.js';
import { runCli } from '../../helpers/cli-in-process.js';

const FIX = join(__dirname, '../../../fixtures/parquet');
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as {
  command: string[];
  files: Record<string, { command?: string[]; outputDtypes: { name: string; dtype: string }[]; rows: Record<string, unknown>[] }>;
};
const dir = mkdtempSync(join(tmpdir(), 'rebalance-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readParquet(path: string): Table {
  const pw = loadParquetWasm();
  return tableFromIPC(pw.readParquet(readFileSync(path)).intoIPCStream());
}

/** A cell as polars' toRecords + JSON gave it in expected.json (dates as ISO instants, ints as numbers). */
function polarsView(field: Field, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  // apache-arrow's get gives dates and timestamps as float milliseconds.
  const t = field.type as unknown as { typeId: number };
  if (t.typeId === Type.Date || t.typeId === Type.Timestamp) return new Date(Math.floor(Number(v))).toISOString();
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/** polars dtype names (expected.json) for the Arrow types rebalance writes. */
function polarsDtype(field: Field): string {
  const t = field.type as unknown as { typeId: number; unit: number; timezone?: string | null; bitWidth?: number; isSigned?: boolean; precision?: number };
  const units = ['s', 'ms', 'us', 'ns'];
  switch (t.typeId) {
    case Type.Int:
      return `DataType(${t.isSigned ? 'Int' : 'UInt'}${t.bitWidth})`;
    case Type.Float:
      return `DataType(Float${t.precision === 1 ? 32 : 64})`;
    case Type.Bool:
      return 'DataType(Bool)';
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return 'DataType(String)';
    case Type.Date:
      return 'DataType(Date)';
    case Type.Timestamp:
      return `DataType(Datetime(${units[t.unit]},${t.timezone ?? ''}))`;
    case Type.Dictionary:
      // polars reads a dictionary of strings as Categorical, or as Enum with its categories in the field metadata.
      if (![Type.Utf8, Type.LargeUtf8].includes((field.type as unknown as { dictionary: { typeId: number } }).dictionary.typeId)) return String(field.type);
      return field.metadata.has('_PL_ENUM_VALUES2') ? 'DataType(Enum)' : 'DataType(Categorical)';
    default:
      return String(field.type);
  }
}

describe('Parquet input (polars-written fixtures)', () => {
  it.each(['snappy', 'gzip', 'zstd', 'uncompressed'])('inspect reads a %s-compressed file with its types', async (codec) => {
    const r = await runCli(['inspect', join(FIX, `types-${codec}.parquet`), '--passthrough', 'note']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(parquet): 40 rows, 19 columns');
    expect(r.stdout).toMatch(/u64\s+feature\s+int \(Uint64\)/);
    expect(r.stdout).toMatch(/ts_us_paris\s+\S+\s+\S+ \(Timestamp<MICROSECOND, Europe\/Paris>\)/);
    expect(r.stdout).toMatch(/note\s+passthrough\s+text \(Utf8\)\s+14/);
  });

  it('reads decimals as float64 numbers and says so', async () => {
    const info = await readParquetInfo(join(FIX, 'types-zstd.parquet'));
    const amount = info.schema.fields.find((f) => f.name === 'amount')!;
    expect(String(amount.type)).toBe('Float64');
    expect(info.notices).toEqual([expect.stringContaining("column 'amount' is a Parquet decimal")]);
  });

  it('reads a polars Categorical (ARROW:schema dictionary<Utf8View>) as a dictionary of strings', async () => {
    const r = await runCli(['inspect', join(FIX, 'categorical.parquet')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cat\s+feature\s+categorical \(Dictionary<Uint32, Utf8>\), 4 categories\s+0/);
    expect(r.stdout).toMatch(/tag\s+feature\s+categorical \(Dictionary<Uint32, Utf8>\), 2 categories\s+14/);
  });

  it('a polars Categorical is written to CSV as its strings', async () => {
    const out = join(dir, 'categorical.csv');
    const file = 'categorical.parquet';
    const r = await runCli([...expected.files[file].command!, join(FIX, file), '-o', out, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('cat,f64,tag,label');
    const want = expected.files[file].rows.map((row) => [row.cat, row.f64, row.tag ?? '', row.label].join(','));
    expect(lines.slice(1)).toEqual(want);
  });

  it('a truncated file is a data error (exit 3), not a crash', async () => {
    const bytes = readFileSync(join(FIX, 'types-zstd.parquet'));
    const cut = join(dir, 'cut.parquet');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const r = await runCli(['inspect', cut, '--input-format', 'parquet']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('REBALANCE_BAD_PARQUET');
  });
});

describe('Parquet output', () => {
  it.each(Object.keys(expected.files))('%s -> -o out.parquet: same schema and the values polars read back', async (file) => {
    const out = join(dir, `out-${file}`);
    const r = await runCli([...(expected.files[file].command ?? expected.command), join(FIX, file), '-o', out, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(out).subarray(0, 4).toString('latin1')).toBe('PAR1');
    const table = readParquet(out);
    const want = expected.files[file];
    expect(table.schema.fields.map((f) => ({ name: f.name, dtype: polarsDtype(f) }))).toEqual(want.outputDtypes);
    const rows = [];
    for (let i = 0; i < table.numRows; i++) {
      const row: Record<string, unknown> = {};
      table.schema.fields.forEach((f, j) => (row[f.name] = polarsView(f, table.getChildAt(j)!.get(i))));
      rows.push(row);
    }
    expect(rows).toEqual(want.rows);
    // The input's Arrow types are kept exactly (decimal -> float64). parquet-wasm alone cannot read
    // polars' dictionary<Utf8View>: the categorical input's types are those rebalance reads.
    const polarsDictionaries = file === 'categorical.parquet' || file === 'enum.parquet';
    const input = polarsDictionaries ? (await readParquetInfo(join(FIX, file))).schema : readParquet(join(FIX, file)).schema;
    expect(table.schema.fields.map((f) => String(f.type))).toEqual(input.fields.map((f) => (f.type.typeId === Type.Decimal ? 'Float64' : String(f.type))));
    if (polarsDictionaries) {
      const dictionary = 'Dictionary<Uint32, Utf8>';
      expect(input.fields.map((f) => String(f.type))).toEqual([dictionary, 'Float64', dictionary, dictionary]);
      // Field metadata (polars' Enum categories, in their order) is written back as it came.
      expect(table.schema.fields.map((f) => Object.fromEntries(f.metadata))).toEqual(input.fields.map((f) => Object.fromEntries(f.metadata)));
    }
    if (file === 'enum.parquet') expect(table.schema.fields[0].metadata.get('_PL_ENUM_VALUES2')).toBe('5;delta5;gamma4;beta5;alpha');
  });

  it('a Parquet output with no rows still has its schema', async () => {
    const out = join(dir, 'empty.parquet');
    const sink = createSink('parquet', await openFileTarget(out), [
      { name: 'a', type: new Float64() },
      { name: 'b', type: new Utf8() },
    ]);
    await sink.finish();
    const table = readParquet(out);
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map(String)).toEqual(['a: Float64', 'b: Utf8']);
  });

  it('dates and timestamps are written to CSV as ISO 8601, not stored integers', async () => {
    const out = join(dir, 'dates.csv');
    const r = await runCli([...expected.command, join(FIX, 'types-zstd.parquet'), '-o', out, '-q']);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const first = Object.fromEntries(lines[1].split(',').map((v, j) => [header[j], v]));
    const want = expected.files['types-zstd.parquet'].rows[0];
    expect(first.day).toBe(String(want.day).slice(0, 10));
    expect(first.ts_ms_utc).toBe(String(want.ts_ms_utc).replace('.000Z', 'Z'));
    expect(first.ts_us_paris).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(first.ts_ns).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/);
  });

  it('CSV -> Parquet writes the rows CSV -> CSV writes', async () => {
    const csv = join(__dirname, '../../../fixtures/datasets/pima.csv');
    const direct = join(dir, 'pima-direct.csv');
    const viaPq = join(dir, 'pima.parquet');
    expect((await runCli(['resample', csv, '--method', 'random-over', '--seed', '3', '-o', direct, '-q'])).code).toBe(0);
    expect((await runCli(['resample', csv, '--method', 'random-over', '--seed', '3', '-o', viaPq, '-q'])).code).toBe(0);
    const parquetRows = readParquet(viaPq).numRows;
    expect(parquetRows).toBe(readFileSync(direct, 'utf8').trim().split('\n').length - 1);
  });
});
