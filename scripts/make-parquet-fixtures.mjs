// Writes fixtures/parquet/*.parquet with nodejs-polars (installed locally, not a dependency: its
// native binary wants node >= 22 per its manifest) and records, in fixtures/parquet/expected.json,
// what polars reads back from rebalance's Parquet output of each: the schema (polars dtypes) and
// the rows. It checks here, with polars, that the output keeps the input's dtypes (Decimal ->
// Float64, as documented) and that every output row is an input row; the tests then compare the
// output read with parquet-wasm/apache-arrow against expected.json, without polars.
// nodejs-polars 0.26 has no Enum dtype to write: enum.parquet is categorical.parquet with the 'cat'
// field's ARROW:schema metadata set to polars' own Enum encoding (_PL_ENUM_VALUES2: "len;value"
// per category), written with dist/io/parquet-footer.js; polars reads it as an Enum (its JS
// binding cannot name that dtype, so it is recorded as DataType(Enum), with the physical codes).
// usage: node scripts/build.mjs && node scripts/make-parquet-fixtures.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const pl = require('nodejs-polars');
const dir = 'fixtures/parquet';
mkdirSync(dir, { recursive: true });

const n = 40;
const idx = Array.from({ length: n }, (_, i) => i);
const base = pl.DataFrame({
  i: idx,
  x: idx.map((i) => ((i * 37) % 23) / 7 - 1.5),
  label: idx.map((i) => (i % 5 === 0 ? 'fraud' : 'ok')),
  word: idx.map((i) => ['alpha', 'beta', 'gamma', 'delta'][i % 4]),
  note: idx.map((i) => (i % 3 === 0 ? null : `n${i}`)),
  tag: idx.map((i) => (i % 3 === 0 ? null : ['red', 'green'][i % 2])),
});
const c = (name) => pl.col(name);
const df = base.select(
  c('i').cast(pl.Int8).alias('i8'),
  c('i').mul(-300).cast(pl.Int16).alias('i16'),
  c('i').mul(100000).cast(pl.Int32).alias('i32'),
  c('i').mul(10_000_000_000).cast(pl.Int64).alias('i64'),
  c('i').cast(pl.UInt8).alias('u8'),
  c('i').mul(1000).cast(pl.UInt16).alias('u16'),
  c('i').mul(70000).cast(pl.UInt32).alias('u32'),
  c('i').cast(pl.UInt64).alias('u64'),
  c('x').cast(pl.Float32).alias('f32'),
  c('x').alias('f64'),
  c('i').modulo(2).eq(0).alias('flag'),
  c('word').alias('word'),
  c('i').mul(31).add(19000).cast(pl.Int32).cast(pl.Date).alias('day'),
  c('i').cast(pl.Int64).mul(3_600_000).add(1_704_067_200_000).cast(pl.Datetime('ms', 'UTC')).alias('ts_ms_utc'),
  c('i').cast(pl.Int64).mul(86_400_000_123).add(1_704_067_200_000_000).cast(pl.Datetime('us', 'Europe/Paris')).alias('ts_us_paris'),
  c('i').cast(pl.Int64).mul(1_000_000_007).add(1_704_067_200_000_000_000n).cast(pl.Datetime('ns')).alias('ts_ns'),
  c('x').cast(pl.Decimal(12, 3)).alias('amount'),
  c('note'),
  c('label'),
);

const codecs = ['snappy', 'gzip', 'zstd', 'uncompressed'];
for (const codec of codecs) df.writeParquet(join(dir, `types-${codec}.parquet`), { compression: codec });
// polars writes Categorical as a dictionary of Utf8View (ARROW:schema), which parquet-read.ts retypes
// to a dictionary of Utf8 in the footer. (nodejs-polars 0.26 has no Enum dtype to write.)
base
  .select(c('word').cast(pl.Categorical).alias('cat'), c('x').alias('f64'), c('tag').cast(pl.Categorical).alias('tag'), c('label').cast(pl.Categorical))
  .writeParquet(join(dir, 'categorical.parquet'), { compression: 'zstd' });

/** categorical.parquet with 'cat' made a polars Enum of ENUM_VALUES (in that order). */
const ENUM_VALUES = ['delta', 'gamma', 'beta', 'alpha'];
{
  const arrow = await import('apache-arrow');
  const { footerKeyValues, replaceKeyValues } = await import('../dist/io/parquet-footer.js');
  const bytes = readFileSync(join(dir, 'categorical.parquet'));
  const len = bytes.readUInt32LE(bytes.length - 8);
  const footer = bytes.subarray(bytes.length - 8 - len, bytes.length - 8);
  const entries = footerKeyValues(footer);
  const reader = arrow.RecordBatchReader.from(Buffer.from(entries.find((e) => e.key === 'ARROW:schema').value, 'base64'));
  reader.open();
  const metadata = new Map([['_PL_ENUM_VALUES2', ENUM_VALUES.map((v) => `${v.length};${v}`).join('')]]);
  const fields = reader.schema.fields.map((f) => (f.name === 'cat' ? new arrow.Field(f.name, f.type, f.nullable, metadata) : f));
  const ipc = arrow.tableToIPC(new arrow.Table(new arrow.Schema(fields, reader.schema.metadata)), 'stream');
  const message = Buffer.from(ipc.subarray(0, 8 + new DataView(ipc.buffer, ipc.byteOffset).getUint32(4, true)));
  const next = replaceKeyValues(footer, entries.map((e) => (e.key === 'ARROW:schema' ? { key: e.key, value: message.toString('base64') } : e)));
  const size = Buffer.alloc(4);
  size.writeUInt32LE(next.length);
  writeFileSync(join(dir, 'enum.parquet'), Buffer.concat([bytes.subarray(0, bytes.length - 8 - len), next, size, Buffer.from('PAR1')]));
}

/** JSON-able value: Date -> ISO text, bigint -> number, the rest as polars gives it. */
const norm = (v) => (v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v);
/** polars' dtype name; nodejs-polars cannot convert an Enum dtype to JS, its error names it. */
const dtypeOf = (frame, k) => {
  try {
    return String(frame.getColumn(k).dtype);
  } catch (e) {
    if (/DataType Enum\(/.test(e.message)) return 'DataType(Enum)';
    throw e;
  }
};
const records = (frame) => {
  const f = frame.withColumns(
    ...frame.columns.filter((k) => dtypeOf(frame, k).includes('Decimal')).map((k) => c(k).cast(pl.Float64)),
    ...frame.columns.filter((k) => dtypeOf(frame, k) === 'DataType(Enum)').map((k) => c(k).cast(pl.String)),
  );
  return f.toRecords().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, norm(v)])));
};
const dtypes = (frame) => frame.columns.map((k) => ({ name: k, dtype: dtypeOf(frame, k) }));
/** An Enum column's physical code of each value (the category order polars keeps). */
const enumCodes = (frame, k) => {
  const pairs = frame.select(c(k).cast(pl.String).alias('v'), c(k).toPhysical().alias('code')).toRecords();
  return Object.fromEntries(pairs.filter((p) => p.v !== null).map((p) => [p.v, p.code]));
};

const tmp = mkdtempSync(join(tmpdir(), 'rebalance-fixtures-'));
const expected = { command: ['resample', '--method', 'random-under', '--seed', '1', '--passthrough', 'note'], files: {} };
// Files with their own command (no 'note' column).
const commands = {
  'categorical.parquet': ['resample', '--method', 'random-under', '--seed', '1'],
  'enum.parquet': ['resample', '--method', 'random-under', '--seed', '1'],
};
try {
  const files = [...codecs.map((codec) => `types-${codec}.parquet`), 'categorical.parquet', 'enum.parquet'];
  for (const name of files) {
    const file = join(dir, name);
    const input = pl.readParquet(file);
    const inRows = records(input).map((r) => JSON.stringify(r));
    const out = join(tmp, name);
    const command = commands[name] ?? expected.command;
    execFileSync(process.execPath, ['bin/rebalance.js', ...command, file, '-o', out, '-q']);
    const back = pl.readParquet(out);
    const want = dtypes(input).map((d) => ({ ...d, dtype: d.dtype.includes('Decimal') ? 'DataType(Float64)' : d.dtype }));
    const got = dtypes(back);
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${name}: polars reads other dtypes back:\n${JSON.stringify(got)}\nwant\n${JSON.stringify(want)}`);
    for (const k of back.columns.filter((k) => dtypeOf(back, k) === 'DataType(Enum)')) {
      const want = Object.fromEntries(ENUM_VALUES.map((v, i) => [v, i]));
      for (const frame of [input, back]) {
        for (const [v, code] of Object.entries(enumCodes(frame, k))) if (want[v] !== code) throw new Error(`${name}: Enum '${k}' codes ${v} -> ${code}, want ${want[v]}`);
      }
    }
    const rows = records(back);
    for (const r of rows) if (!inRows.includes(JSON.stringify(r))) throw new Error(`${name}: output row not in the input: ${JSON.stringify(r)}`);
    expected.files[name] = { ...(commands[name] ? { command } : {}), inputDtypes: dtypes(input), outputDtypes: got, rows };
    console.log(`${file}: ${input.height} rows in, ${rows.length} rows out; polars reads back the same dtypes (Decimal -> Float64) and input rows`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
writeFileSync(join(dir, 'expected.json'), JSON.stringify(expected, null, 1) + '\n');
