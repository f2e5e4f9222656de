// Seeded synthetic benchmark data: `features` numeric columns (10 informative, the rest noise),
// a `label` column with a `minority` share of 1s. Writes CSV, or Arrow IPC with --arrow.
// usage: node bench/gen.mjs --rows N [--features 30] [--minority 0.01] [--seed 1] [--arrow] OUT
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { Field, Float64, Int64, makeData, RecordBatch, RecordBatchFileWriter, Schema, Struct } from 'apache-arrow';
import { createRng } from '../dist/core/rng.js';

export async function generate({ rows, features = 30, minority = 0.01, seed = 1, arrow = false, out }) {
  const rng = createRng(seed);
  const informative = Math.min(10, features);
  const shift = new Float64Array(features);
  for (let j = 0; j < informative; j++) shift[j] = 0.8 + 0.4 * rng.nextFloat();
  const stream = createWriteStream(out, { highWaterMark: 1 << 22 });
  let failed = null;
  stream.on('error', (e) => (failed = e));
  const write = async (chunk) => {
    if (failed) throw failed;
    if (!stream.write(chunk)) await new Promise((res) => stream.once('drain', res));
  };
  const names = Array.from({ length: features }, (_, j) => `f${j}`);
  const batch = 65536;
  let writer = null;
  let pump = null;
  if (arrow) {
    const fields = [...names.map((n) => new Field(n, new Float64(), false)), new Field('label', new Int64(), false)];
    var schema = new Schema(fields);
    writer = new RecordBatchFileWriter();
    writer.reset(undefined, schema);
    pump = (async () => {
      for await (const chunk of writer) await write(chunk);
    })();
  } else {
    await write(names.join(',') + ',label\n');
  }
  for (let start = 0; start < rows; start += batch) {
    const m = Math.min(batch, rows - start);
    const cols = names.map(() => new Float64Array(m));
    const labels = new BigInt64Array(m);
    for (let i = 0; i < m; i++) {
      const y = rng.nextFloat() < minority ? 1 : 0;
      labels[i] = BigInt(y);
      for (let j = 0; j < features; j++) {
        const x = rng.nextNormal() + (y && j < informative ? shift[j] : 0);
        cols[j][i] = Math.round(x * 1e5) / 1e5;
      }
    }
    if (arrow) {
      const children = [...cols.map((c) => makeData({ type: new Float64(), length: m, data: c })), makeData({ type: new Int64(), length: m, data: labels })];
      writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: m, nullCount: 0, children })));
      await new Promise((r) => setImmediate(r));
    } else {
      const lines = new Array(m);
      for (let i = 0; i < m; i++) {
        let s = '';
        for (let j = 0; j < features; j++) s += cols[j][i] + ',';
        lines[i] = s + labels[i];
      }
      await write(lines.join('\n') + '\n');
    }
  }
  if (arrow) {
    writer.finish();
    await pump;
  }
  await new Promise((res) => stream.end(res));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const usage = 'usage: node bench/gen.mjs --rows N [--features 30] [--minority 0.01] [--seed 1] [--arrow] OUT';
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        rows: { type: 'string', default: '100000' },
        features: { type: 'string', default: '30' },
        minority: { type: 'string', default: '0.01' },
        seed: { type: 'string', default: '1' },
        arrow: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    console.error(`${e.message}\n${usage}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (positionals.length !== 1) {
    console.error(`expected one output path, got ${positionals.length}\n${usage}`);
    process.exit(2);
  }
  await generate({
    rows: Number(values.rows),
    features: Number(values.features),
    minority: Number(values.minority),
    seed: Number(values.seed),
    arrow: values.arrow,
    out: positionals[0],
  });
}
