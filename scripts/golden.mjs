// Output-bytes guard for refactors: runs `rebalance resample` in-process (the built dist/) for every
// registered method on every data set in fixtures/datasets, to CSV and to Arrow, and records the
// SHA-256 of each output (or the error's exit code and first line). Refactors that must not change
// behaviour compare against the recorded table.
//
//   node scripts/golden.mjs --write   record test/golden/resample.json (at the commit to preserve)
//   node scripts/golden.mjs           compare with it; exit 1 and list every difference
//   node scripts/golden.mjs --only smote,enn   a subset of methods
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const goldenPath = join(root, 'test', 'golden', 'resample.json');
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('usage: node scripts/golden.mjs [--write] [--only m1,m2]');
  process.exit(0);
}
const write = args.includes('--write');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(args[onlyAt + 1].split(',')) : null;

const { run } = await import(join(root, 'dist', 'cli', 'main.js'));
const { SAMPLERS } = await import(join(root, 'dist', 'samplers', 'registry.js'));

/** Per-method extra flags so each runs on every data set where it can. */
const EXTRA = { 'instance-hardness-threshold': [], 'kmeans-smote': ['--k-auto'] };

export async function runOne(argv) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  stdout.resume();
  const code = await run(['node', 'rebalance', ...argv], { stdout, stderr, signal: new AbortController().signal, version: '0.1.0' });
  return { code, err };
}

const dataDir = join(root, 'fixtures', 'datasets');
const sets = readdirSync(dataDir).filter((f) => f.endsWith('.csv')).sort();
/** Runs beyond the defaults: provenance, dropped rows, mixed types, categorical-only, TSV out. */
const VARIANTS = [
  { name: 'pima-provenance', file: join(dataDir, 'pima.csv'), flags: ['--provenance'], exts: ['csv', 'arrow'] },
  { name: 'missing-drop', file: join(dataDir, 'breast_cancer_original_with_missing.csv'), flags: ['--missing', 'drop'], exts: ['csv', 'tsv'] },
  { name: 'transactions', file: join(root, 'examples', 'transactions.csv'), flags: ['--label', 'is_fraud', '--passthrough', 'tx_id'], exts: ['csv', 'arrow'] },
  {
    name: 'transactions-categorical',
    file: join(root, 'examples', 'transactions.csv'),
    flags: ['--label', 'is_fraud', '--passthrough', 'tx_id,amount,account_age_days,distance_km', '--categorical', 'hour,tx_last_24h,merchant'],
    exts: ['csv'],
  },
  { name: 'glass-scaled-noround', file: join(dataDir, 'glass.csv'), flags: ['--scale', 'standard', '--no-round', '--strategy', 'all'], exts: ['csv'] },
];
const tmp = mkdtempSync(join(tmpdir(), 'rebalance-golden-'));
const table = {};
try {
  for (const def of SAMPLERS) {
    if (only && !only.has(def.name)) continue;
    for (const set of sets) {
      for (const ext of ['csv', 'arrow']) {
        const out = join(tmp, `out.${ext}`);
        rmSync(out, { force: true });
        const argv = ['resample', join(dataDir, set), '-m', def.name, '--seed', '7', '-q', '--knn-backend', 'cpu', '-o', out, ...(EXTRA[def.name] ?? [])];
        const { code, err } = await runOne(argv);
        const key = `${def.name} ${set} ${ext}`;
        if (code === 0) {
          const bytes = readFileSync(out);
          // Arrow files carry the version in metadata only; hash the whole file.
          table[key] = createHash('sha256').update(bytes).digest('hex').slice(0, 24);
        } else {
          table[key] = `exit ${code}: ${err.split('\n')[0].replace(/\/[^ ']*\//g, '')}`;
        }
      }
    }
    for (const v of VARIANTS) {
      for (const ext of v.exts) {
        const out = join(tmp, `out.${ext}`);
        rmSync(out, { force: true });
        const argv = ['resample', v.file, '-m', def.name, '--seed', '11', '-q', '--knn-backend', 'cpu', '-o', out, ...v.flags, ...(EXTRA[def.name] ?? [])];
        const { code, err } = await runOne(argv);
        const key = `${def.name} ${v.name} ${ext}`;
        table[key] = code === 0 ? createHash('sha256').update(readFileSync(out)).digest('hex').slice(0, 24) : `exit ${code}: ${err.split('\n')[0].replace(/\/[^ ']*\//g, '')}`;
      }
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (write) {
  mkdirSync(dirname(goldenPath), { recursive: true });
  writeFileSync(goldenPath, JSON.stringify(table, null, 1) + '\n');
  console.log(`golden: recorded ${Object.keys(table).length} outputs in ${goldenPath}`);
} else {
  if (!existsSync(goldenPath)) {
    console.error('golden: no recorded table; run with --write at the commit to preserve');
    process.exit(1);
  }
  const want = JSON.parse(readFileSync(goldenPath, 'utf8'));
  let bad = 0;
  for (const [k, v] of Object.entries(table)) {
    if (want[k] !== v) {
      bad++;
      console.log(`DIFF ${k}\n  want ${want[k]}\n  got  ${v}`);
    }
  }
  console.log(`golden: ${Object.keys(table).length - bad} same, ${bad} different`);
  process.exit(bad ? 1 : 0);
}
