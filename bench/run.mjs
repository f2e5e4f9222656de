// `npm run bench`: end-to-end benchmarks against the peer (pandas + imbalanced-learn) measured in
// the same run on the same machine. A script, not a test. Prints a markdown table and writes
// bench/out/results.json. Needs a built project (npm install) and, for the peer, /usr/bin/python3
// with pandas + imblearn.
//
//   npm run bench                      # 100k and 1M rows, CSV and Arrow, random under/over, SMOTE
//   npm run bench -- --rows 100000     # only one size
//   npm run bench -- --big             # 10M rows x 30 (random-under, SMOTE): peak RSS must stay < 1 GB
//   npm run bench -- --only io,smote,knn,cleaning,evaluate
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from './gen.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: npm run bench -- [--rows 100000,1000000] [--only io,smote,knn,cleaning,evaluate] [--big] [--stdin] [--dir DIR]';
let opts;
try {
  opts = parseArgs({
    options: {
      rows: { type: 'string' },
      only: { type: 'string' },
      big: { type: 'boolean', default: false },
      stdin: { type: 'boolean', default: false },
      dir: { type: 'string', default: join(tmpdir(), 'rebalance-bench') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const big = opts.big;
const rowsList = (opts.rows ?? (big ? '10000000' : '100000,1000000')).split(',').map(Number);
const only = new Set((opts.only ?? (big ? 'big' : 'io,smote,knn,cleaning,evaluate')).split(','));
const work = opts.dir;
mkdirSync(work, { recursive: true });
const PY = process.env.REBALANCE_PYTHON ?? '/usr/bin/python3';
const hasPeer = spawnSync(PY, ['-c', 'import pandas, imblearn'], { stdio: 'ignore' }).status === 0;
const BIN = join(root, 'bin', 'rebalance.js');
const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function measure(cmd) {
  const r = spawnSync(PY, [join(root, 'bench', 'measure.py'), cmd], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`measure failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout);
  if (m.code !== 0) throw new Error(`command failed (${m.code}): ${cmd}\n${m.stderr}`);
  return m;
}

async function dataFile(rows, format, features = 30) {
  const p = join(work, `synth-${rows}x${features}.${format}`);
  if (!existsSync(p)) {
    process.stderr.write(`generating ${p} ...\n`);
    await generate({ rows, features, minority: 0.01, seed: 1, arrow: format === 'arrow', out: p });
  }
  return p;
}

const results = [];
function record(row) {
  results.push(row);
  const ratio = row.peerSeconds ? ` (peer ${row.peerSeconds.toFixed(2)} s, ${(row.peerSeconds / row.seconds).toFixed(2)}x faster, peer RSS ${row.peerRssMb.toFixed(0)} MB)` : '';
  process.stderr.write(`${row.job}: ${row.seconds.toFixed(2)} s, ${row.mbPerS ? row.mbPerS.toFixed(1) + ' MB/s, ' : ''}RSS ${row.rssMb.toFixed(0)} MB${ratio}\n`);
}

function rebalanceJob(job, input, method, extra = '', { stdin = false, peer = hasPeer } = {}) {
  const out = join(work, 'out.csv');
  const cmd = stdin
    ? `cat ${q(input)} | node ${q(BIN)} resample - -m ${method} -q ${extra} -o ${q(out)}`
    : `node ${q(BIN)} resample ${q(input)} -m ${method} -q ${extra} -o ${q(out)}`;
  const m = measure(cmd);
  const size = statSync(input).size / 1e6;
  const row = { job, input: input.split('/').pop(), method, seconds: m.seconds, rssMb: m.max_rss_mb, mbPerS: size / m.seconds, inputMb: size };
  if (peer && input.endsWith('.csv')) {
    const p = measure(`${PY} ${q(join(root, 'bench', 'peer.py'))} ${q(input)} ${method} ${q(join(work, 'peer.csv'))}`);
    row.peerSeconds = p.seconds;
    row.peerRssMb = p.max_rss_mb;
  }
  record(row);
  rmSync(out, { force: true });
  rmSync(join(work, 'peer.csv'), { force: true });
}

const header = `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; peer: ${hasPeer ? 'pandas + imbalanced-learn (' + spawnSync(PY, ['-c', 'import imblearn,pandas;print(imblearn.__version__, pandas.__version__)'], { encoding: 'utf8' }).stdout.trim() + ')' : 'not installed'}`;
process.stderr.write(header + '\n');

if (only.has('io')) {
  for (const rows of rowsList) {
    for (const format of ['csv', 'arrow']) {
      const input = await dataFile(rows, format);
      for (const method of ['random-under', 'random-over']) rebalanceJob(`${method} ${rows} rows ${format}`, input, method);
    }
  }
  if (rowsList.includes(1000000) || opts.stdin) {
    const input = await dataFile(2000000, 'csv');
    rebalanceJob('random-under 2000000 rows csv from stdin', input, 'random-under', '', { stdin: true, peer: false });
  }
}
if (only.has('smote')) {
  for (const rows of rowsList) rebalanceJob(`smote ${rows} rows csv`, await dataFile(rows, 'csv'), 'smote');
}
if (only.has('big')) {
  for (const rows of rowsList) {
    const input = await dataFile(rows, 'csv');
    rebalanceJob(`random-under ${rows} rows csv (big)`, input, 'random-under', '', { peer: false });
    rebalanceJob(`smote ${rows} rows csv (big)`, input, 'smote', '', { peer: false });
  }
}
for (const [name, script] of [['knn', 'knn.mjs'], ['cleaning', 'cleaning.mjs'], ['evaluate', 'evaluate.mjs']]) {
  if (!only.has(name) || big) continue;
  const path = join(root, 'bench', script);
  if (!existsSync(path)) continue;
  process.stderr.write(`== bench/${script}\n`);
  const r = spawnSync(process.execPath, [path], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.stderr.write(`bench/${script} failed (${r.status})\n`);
}

mkdirSync(join(root, 'bench', 'out'), { recursive: true });
writeFileSync(join(root, 'bench', 'out', 'results.json'), JSON.stringify({ header, date: new Date().toISOString(), results }, null, 2));
console.log(`\n${header}\n`);
console.log('| job | seconds | MB/s | peak RSS MB | peer seconds | peer RSS MB | speed-up |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.job} | ${r.seconds.toFixed(2)} | ${r.mbPerS.toFixed(1)} | ${r.rssMb.toFixed(0)} | ${r.peerSeconds?.toFixed(2) ?? '-'} | ${r.peerRssMb?.toFixed(0) ?? '-'} | ${r.peerSeconds ? (r.peerSeconds / r.seconds).toFixed(2) + 'x' : '-'} |`,
  );
}
