// Generates the Arrow IPC interoperability fixtures under fixtures/arrow/ with nodejs-polars,
// an Arrow writer that is NOT apache-arrow JS (polars is Rust: arrow-rs/polars-arrow), so the
// tests prove rebalance reads what other tools write (Utf8View, LargeUtf8, dictionaries, every
// int width, nulls) and fails clearly on what it cannot read (LZ4/ZSTD-compressed bodies).
//
// How to run (NOT run by tests or CI; the generated files are committed):
//   mkdir -p /tmp/polars && cd /tmp/polars && npm init -y \
//     && npm install nodejs-polars nodejs-polars-linux-x64-gnu
//   NODE_PATH=/tmp/polars/node_modules node scripts/make-arrow-fixtures.mjs [/tmp/polars]
// The optional argument is the folder holding node_modules/nodejs-polars (default /tmp/polars).
// nodejs-polars is deliberately installed OUTSIDE the repository: it is a large native binary
// and no part of rebalance depends on it. DuckDB (@duckdb/node-api) cannot write Arrow IPC
// without its `arrow` extension, which needs network access to install, so it is not used.
// After regenerating, update fixtures/arrow/README.md if versions or schemas changed.
import { createRequire } from 'node:module';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const polarsHome = process.argv[2] ?? '/tmp/polars';
const require = createRequire(join(polarsHome, 'package.json'));
const pl = require('nodejs-polars');
const out = join(root, 'fixtures', 'arrow');
mkdirSync(out, { recursive: true });

const N = 12;
const I64 = ['-9223372036854775808', '9223372036854775807', '0', '4', '-4', '9007199254740993', '6000', '7000', '8000', '9000', '10000', '11000'];
const U64 = ['0', '18446744073709551615', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];
const big = (name, texts, dtype) => pl.Series(name, texts, pl.String).cast(dtype);
/** 12 rows, 9 'neg' then 3 'pos' interleaved: every Arrow type polars writes for tabular data. */
function typesFrame() {
  const label = ['neg', 'neg', 'pos', 'neg', 'neg', 'neg', 'pos', 'neg', 'neg', 'neg', 'pos', 'neg'];
  return pl.DataFrame({
    i8: pl.Series('i8', [-128, 127, 0, 1, -1, 5, 6, 7, 8, 9, 10, 11], pl.Int8),
    i16: pl.Series('i16', [-32768, 32767, 0, 2, -2, 50, 60, 70, 80, 90, 100, 110], pl.Int16),
    i32: pl.Series('i32', [-2147483648, 2147483647, 0, 3, -3, 500, 600, 700, 800, 900, 1000, 1100], pl.Int32),
    // 64-bit values beyond 2^53 go in as text and are cast by polars (a bigint array with
    // pl.Int64 silently becomes all-null in nodejs-polars 0.26).
    i64: big('i64', I64, pl.Int64),
    u8: pl.Series('u8', [0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], pl.UInt8),
    u16: pl.Series('u16', [0, 65535, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], pl.UInt16),
    u32: pl.Series('u32', [0, 4294967295, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], pl.UInt32),
    u64: big('u64', U64, pl.UInt64),
    f32: pl.Series('f32', [0.1, -2.5, 3.25, 1e-7, 16777217, 0, -0, 7.5, 8.5, 9.5, 10.5, 11.5], pl.Float32),
    f64: pl.Series('f64', [0.1, 1e-300, 123456.789, -0.5, 1e21, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5], pl.Float64),
    flag: pl.Series('flag', [true, false, true, false, true, false, true, false, true, false, true, false], pl.Bool),
    city: pl.Series('city', ['Oslo', 'Zürich', 'São Paulo de Piratininga', 'Oslo', 'Zürich', 'Oslo', 'São Paulo de Piratininga', 'Oslo', 'Zürich', 'Oslo', 'Oslo', 'Zürich'], pl.String),
    cat: pl.Series('cat', ['red', 'green', 'blue', 'red', 'red', 'green', 'blue', 'red', 'green', 'red', 'blue', 'red'], pl.String).cast(pl.Categorical),
    note: pl.Series('note', Array.from({ length: N }, (_, i) => (i % 3 === 0 ? `=cmd ${i}, "quoted" and a longer tail #${i}` : `note ${i} 👍`)), pl.String),
    label: pl.Series('label', label, pl.String),
  });
}

/** 20 rows: row j (j < 14) has a null in column j; rows 14..19 are complete. Label: Int64 0/1. */
function nullsFrame() {
  const base = typesFrame();
  const cols = base.columns.filter((c) => c !== 'label');
  const series = {};
  for (const [j, name] of cols.entries()) {
    const src = name === 'i64' ? I64 : name === 'u64' ? U64 : base.getColumn(name).toArray();
    const vals = Array.from({ length: 20 }, (_, i) => (i === j ? null : src[i % N]));
    const dtype = base.getColumn(name).dtype;
    const textual = name === 'cat' || name === 'i64' || name === 'u64';
    series[name] = textual ? pl.Series(name, vals.map((v) => (v === null ? null : String(v))), pl.String).cast(dtype) : pl.Series(name, vals, dtype);
  }
  series.label = pl.Series('label', [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0], pl.Int64);
  return pl.DataFrame(series);
}

/** 6 rows: dates, timestamps at ms/us/ns (sub-ms digits), decimals, lists and a struct. */
function temporalFrame() {
  const ints = (name, texts) => pl.Series(name, texts, pl.String).cast(pl.Int64);
  let df = pl.DataFrame({
    x: pl.Series('x', [1, 2, 3, 4, 5, 6], pl.Float64),
    label: pl.Series('label', ['a', 'a', 'b', 'a', 'b', 'a'], pl.String),
    d: pl.Series('d', [new Date('2024-01-02'), new Date('2023-12-31'), null, new Date('1969-07-20'), new Date('2000-02-29'), new Date('1970-01-01')], pl.Date),
    decf: pl.Series('decf', [1.0, -0.05, 123.45, null, 0, -1234.5], pl.Float64),
    lst: pl.Series('lst', [[1, 2], [3], [], null, [4, 5, 6], [-7]], pl.List(pl.Int32)),
    slst: pl.Series('slst', [['a', 'bb'], ['c'], [], null, ['d'], ['e, f']], pl.List(pl.String)),
    tmsi: ints('tmsi', ['1704164645678', '-1', '0', null, '951782400000', '1']),
    tusi: ints('tusi', ['1704164645678123', '-1', '0', null, '951782400000001', '999']),
    tnsi: ints('tnsi', ['1704164645678123456', '1', '0', null, '-1', '951782400000000001']),
  });
  df = df.withColumns(
    pl.col('tmsi').cast(pl.Datetime('ms')).alias('tms'),
    pl.col('tusi').cast(pl.Datetime('us')).alias('tus'),
    pl.col('tnsi').cast(pl.Datetime('ns')).alias('tns'),
    pl.col('decf').cast(pl.Decimal(10, 2)).alias('dec'),
    pl.struct([pl.col('x'), pl.col('label')]).alias('st'),
  );
  return df.select('x', 'd', 'tms', 'tus', 'tns', 'dec', 'lst', 'slst', 'st', 'label');
}

/** A list of dates: apache-arrow JS reads it as float milliseconds, so Arrow output is refused. */
function nestedTemporalFrame() {
  const df = pl.DataFrame({
    x: pl.Series('x', [1, 2, 3], pl.Float64),
    label: pl.Series('label', ['a', 'b', 'a'], pl.String),
    d: pl.Series('d', [new Date('2024-01-02'), new Date('2023-12-31'), new Date('1969-07-20')], pl.Date),
  });
  return df.withColumns(pl.concatList([pl.col('d'), pl.col('d')]).alias('ld')).select('x', 'ld', 'label');
}

const written = [];
function done(name) {
  const size = statSync(join(out, name)).size;
  if (size > 50_000) throw new Error(`${name} is ${size} bytes; fixtures must stay < 50 KB`);
  written.push(`${name} (${size} bytes)`);
}

const types = typesFrame();
types.writeIPC(join(out, 'polars-types.arrow')); // default options: newest compat level
done('polars-types.arrow');
types.writeIPCStream(join(out, 'polars-types.arrows'));
done('polars-types.arrows');
await types.lazy().sinkIpc(join(out, 'polars-types-oldest.arrow'), { compatLevel: 'oldest' }).collect();
done('polars-types-oldest.arrow');
const nulls = nullsFrame();
nulls.writeIPC(join(out, 'polars-nulls.arrow'));
done('polars-nulls.arrow');
nulls.writeIPCStream(join(out, 'polars-nulls.arrows'));
done('polars-nulls.arrows');
types.writeIPC(join(out, 'polars-zstd.arrow'), { compression: 'zstd' });
done('polars-zstd.arrow');
types.writeIPCStream(join(out, 'polars-lz4.arrows'), { compression: 'lz4' });
done('polars-lz4.arrows');
const temporal = temporalFrame();
temporal.writeIPC(join(out, 'polars-temporal.arrow'));
done('polars-temporal.arrow');
const nestedTemporal = nestedTemporalFrame();
nestedTemporal.writeIPC(join(out, 'polars-nested-temporal.arrow'));
done('polars-nested-temporal.arrow');

console.log(`nodejs-polars ${require('nodejs-polars/package.json').version}: wrote ${written.join(', ')} to ${out}`);
for (const [name, df] of [['types', types], ['nulls', nulls], ['temporal', temporal], ['nested-temporal', nestedTemporal]]) console.log(name, df.columns.map((c, i) => `${c}:${df.dtypes[i]}`).join(' '));
