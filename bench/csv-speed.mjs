// CSV -> CSV at engine speed (#20): rebalance against DuckDB (@duckdb/node-api, a dev dependency
// of this bench only) and pandas + imbalanced-learn on the same file, in the same run:
//   random-under  vs DuckDB `USING SAMPLE reservoir(n ROWS) REPEATABLE(seed)` to the same counts
//   random-over   vs DuckDB read-all + write-all (COPY ... TO)
//   smote         vs pandas.read_csv -> imblearn SMOTE -> to_csv (bench/peer.py)
// Wall time and peak RSS of each run through bench/measure.py. Output: a markdown table.
// The 'rebalance, 2 threads' rows run the counting pass on 2 threads (REBALANCE_SCAN_THREADS=2; the
// default is 1) on the same file.
// usage: node bench/csv-speed.mjs [--input FILE | --rows 1000000 --features 29] [--threads 2] [--skip smote,pandas,parallel]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    input: { type: 'string' },
    rows: { type: 'string', default: '1000000' },
    features: { type: 'string', default: '29' },
    threads: { type: 'string', default: '2' },
    skip: { type: 'string', default: '' },
  },
});
const root = resolve(new URL('..', import.meta.url).pathname);
const work = mkdtempSync(join(tmpdir(), 'rebalance-csv-speed-'));
const skip = new Set(values.skip.split(',').filter(Boolean));
let input = values.input;
if (!input) {
  input = join(work, 'in.csv');
  execFileSync(process.execPath, [join(root, 'bench/gen.mjs'), '--rows', values.rows, '--features', values.features, input], { stdio: 'inherit' });
}
const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
const measure = (cmd) => {
  const r = JSON.parse(execFileSync('/usr/bin/python3', [join(root, 'bench/measure.py'), cmd], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  if (r.code !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return r;
};
const rebalance = (method, out, extra = '', env = '') => measure(`${env}${q(process.execPath)} ${q(join(root, 'bin/rebalance.js'))} resample ${q(input)} -m ${method} -o ${q(out)} -q --seed 42 ${extra}`);
const duck = (sql) => {
  const script = `import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:', { threads: '${values.threads}' });
const c = await db.connect();
await c.run(${JSON.stringify(sql)});`;
  return measure(`cd ${q(root)} && ${q(process.execPath)} --input-type=module -e ${q(script)}`);
};

const rows = [];
const add = (job, tool, r, note = '') => {
  rows.push({ job, tool, s: r.seconds, mb: r.max_rss_mb, note });
  console.error(`${job} ${tool}: ${r.seconds.toFixed(2)} s, ${r.max_rss_mb.toFixed(0)} MB ${note}`);
};

// random-under, and the counts DuckDB must reach
const underOut = join(work, 'under.csv');
const summary = join(work, 'under.json');
add('random-under', 'rebalance', rebalance('random-under', underOut, `--summary-json ${q(summary)}`));
if (!skip.has('parallel')) add('random-under', 'rebalance, 2 threads', rebalance('random-under', join(work, 'under-2.csv'), '', 'REBALANCE_SCAN_THREADS=2 '));
const plan = JSON.parse(readFileSync(summary, 'utf8'));
const counts = plan.classes.map((c) => [c.name, c.after]);
const src = `read_csv(${JSON.stringify(input).replaceAll('"', "'")})`;
const parts = counts.map(([label, n], i) => `(SELECT * FROM (SELECT * FROM ${src} WHERE label = '${label}') USING SAMPLE reservoir(${n} ROWS) REPEATABLE (${42 + i}))`);
add('random-under', `DuckDB reservoir (${values.threads} threads)`, duck(`COPY (${parts.join(' UNION ALL ')}) TO '${join(work, 'duck-under.csv')}' (HEADER)`));
const underRows = readFileSync(underOut, 'utf8').split('\n').length - 2;
const duckRows = readFileSync(join(work, 'duck-under.csv'), 'utf8').split('\n').length - 2;
if (underRows !== duckRows) console.error(`warning: row counts differ: rebalance ${underRows}, DuckDB ${duckRows}`);

add('random-over', 'rebalance', rebalance('random-over', join(work, 'over.csv')));
rmSync(join(work, 'over.csv'), { force: true });
if (!skip.has('parallel')) add('random-over', 'rebalance, 2 threads', rebalance('random-over', join(work, 'over.csv'), '', 'REBALANCE_SCAN_THREADS=2 '));
add('random-over', `DuckDB COPY read-all + write-all (${values.threads} threads)`, duck(`COPY (SELECT * FROM ${src}) TO '${join(work, 'duck-all.csv')}' (HEADER)`));
rmSync(join(work, 'over.csv'), { force: true });
rmSync(join(work, 'duck-all.csv'), { force: true });

if (!skip.has('smote')) {
  add('smote', 'rebalance', rebalance('smote', join(work, 'smote.csv')));
  rmSync(join(work, 'smote.csv'), { force: true });
  if (!skip.has('pandas')) {
    add('smote', 'pandas + imbalanced-learn', measure(`/usr/bin/python3 ${q(join(root, 'bench/peer.py'))} ${q(input)} smote ${q(join(work, 'peer-smote.csv'))}`));
    rmSync(join(work, 'peer-smote.csv'), { force: true });
  }
}

console.log(`input: ${input} (${(Number(execFileSync('stat', ['-c', '%s', input], { encoding: 'utf8' })) / 1e6).toFixed(0)} MB)\n`);
console.log('| job | tool | wall s | peak RSS MB | vs rebalance |');
console.log('|---|---|---:|---:|---:|');
for (const r of rows) {
  const base = rows.find((x) => x.job === r.job && x.tool === 'rebalance');
  console.log(`| ${r.job} | ${r.tool} | ${r.s.toFixed(2)} | ${r.mb.toFixed(0)} | ${(r.s / base.s).toFixed(2)}x |`);
}
rmSync(work, { recursive: true, force: true });
