// Formats benchmark: random under-sampling Parquet -> Parquet and CSV.gz -> CSV.gz, rebalance next
// to DuckDB (@duckdb/node-api, a dev dependency) doing the same sampling in the same run: every
// minority row plus as many majority rows drawn at random. Each run is its own process, timed
// with its peak RSS (/usr/bin/time -f %M). Data: bench/gen.mjs (seeded, 30 float64 features + an
// int64 label), converted by DuckDB (Parquet: snappy, row groups of 122,880 rows).
// usage: node scripts/build.mjs && node bench/formats.mjs [--rows 1000000] [--keep DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, keep: { type: 'string' } } });
const rows = Number(values.rows);
const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'rebalance-formats-'));
const node = process.execPath;
const BIN = new URL('../bin/rebalance.js', import.meta.url).pathname;

/** Runs a command; wall seconds and peak RSS (MB) as /usr/bin/time reports them. */
function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /TIME ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return { seconds: Number(m[1]), rssMB: Number(m[2]) / 1024 };
}

const duck = (sql) => ['--input-type=module', '-e', `import { DuckDBInstance } from '@duckdb/node-api'; const c = await (await DuckDBInstance.create(':memory:')).connect(); await c.run(${JSON.stringify(sql)});`];

const csv = join(dir, 'data.csv');
const pq = join(dir, 'data.parquet');
const gz = join(dir, 'data.csv.gz');
execFileSync(node, [new URL('./gen.mjs', import.meta.url).pathname, '--rows', String(rows), '--features', '30', csv]);
// DuckDB needs to resolve its package from this folder: run its scripts with cwd = the repository.
const cwd = new URL('..', import.meta.url).pathname;
const run = (args) => execFileSync(node, args, { cwd });
run(duck(`COPY (SELECT * FROM read_csv('${csv}')) TO '${pq}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`));
run(duck(`COPY (SELECT * FROM read_csv('${csv}')) TO '${gz}' (FORMAT csv, COMPRESSION gzip)`));
rmSync(csv);

/** DuckDB's random under-sampling: all label=1 rows + a reservoir sample of as many label=0 rows. */
const duckUnder = (src, dst, fmt) => {
  const read = fmt === 'parquet' ? `read_parquet('${src}')` : `read_csv('${src}')`;
  const to = fmt === 'parquet' ? `(FORMAT parquet, COMPRESSION snappy)` : `(FORMAT csv, COMPRESSION gzip)`;
  return [
    '--input-type=module',
    '-e',
    `import { DuckDBInstance } from '@duckdb/node-api'; const c = await (await DuckDBInstance.create(':memory:')).connect();
     const n = Number((await c.runAndReadAll("SELECT count(*) FROM ${read} WHERE label = 1")).getRows()[0][0]);
     await c.run("SELECT setseed(0.5)");
     await c.run(\`COPY (SELECT * FROM ${read} WHERE label = 1 UNION ALL (SELECT * FROM ${read} WHERE label = 0 USING SAMPLE reservoir(\${n} ROWS) REPEATABLE (1))) TO '${dst}' ${to}\`);`,
  ];
};

const results = [];
for (const [name, src, ext] of [
  ['Parquet -> Parquet', pq, 'parquet'],
  ['CSV.gz -> CSV.gz', gz, 'csv.gz'],
]) {
  const size = statSync(src).size / 2 ** 20;
  const reb = timed(node, [BIN, 'resample', src, '-m', 'random-under', '--seed', '1', '-q', '-o', join(dir, `out-rebalance.${ext}`)]);
  const dk = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', node, ...duckUnder(src, join(dir, `out-duckdb.${ext}`), ext === 'parquet' ? 'parquet' : 'csv')], { cwd, encoding: 'utf8' });
  const m = /TIME ([\d.]+) (\d+)/.exec(dk.stderr);
  if (dk.status !== 0 || !m) throw new Error(`duckdb failed:\n${dk.stderr}`);
  const duckR = { seconds: Number(m[1]), rssMB: Number(m[2]) / 1024 };
  results.push({ name, inputMB: size, rebalance: reb, duckdb: duckR });
}

console.log(`random-under, ${rows.toLocaleString('en')} rows x 31 columns (30 float64 + int64 label), 1% minority`);
console.log('| conversion | input MB | rebalance s | rebalance rows/s | rebalance peak RSS MB | DuckDB s | DuckDB peak RSS MB | time ratio rebalance/DuckDB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(
    `| ${r.name} | ${r.inputMB.toFixed(0)} | ${r.rebalance.seconds.toFixed(1)} | ${Math.round(rows / r.rebalance.seconds).toLocaleString('en')} | ${r.rebalance.rssMB.toFixed(0)} | ${r.duckdb.seconds.toFixed(1)} | ${r.duckdb.rssMB.toFixed(0)} | ${(r.rebalance.seconds / r.duckdb.seconds).toFixed(1)} |`,
  );
}
if (!values.keep) rmSync(dir, { recursive: true, force: true });
