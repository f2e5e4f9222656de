// Bench: `rebalance evaluate` with 8 samplers x 2 models x 5 folds on a 20k-row, 16-feature table
// (issue bar: under 60 s on a 2-core machine). Script, not a test.
// usage: node bench/evaluate.mjs [--rows 20000] [--models logistic,mlp] [--samplers a,b,...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from './gen.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    models: { type: 'string', default: 'logistic,mlp' },
    samplers: { type: 'string', default: 'none,random-under,random-over,smote,borderline-smote,adasyn,tomek-links,smote-enn' },
  },
});
const rows = Number(opts.rows);
const models = opts.models;
const samplers = opts.samplers;
const dir = join(tmpdir(), 'rebalance-bench');
mkdirSync(dir, { recursive: true });
const input = join(dir, `eval-${rows}x16.csv`);
if (!existsSync(input)) await generate({ rows, features: 16, minority: 0.05, seed: 7, out: input });
const argv = [join(root, 'bin', 'rebalance.js'), 'evaluate', input, '--samplers', samplers, '--models', models, '--folds', '5', '-q'];
const t = performance.now();
const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
const seconds = (performance.now() - t) / 1000;
if (r.status !== 0) {
  console.error(r.stderr);
  process.exit(1);
}
process.stdout.write(r.stdout);
const n = samplers.split(',').length * models.split(',').length * 5;
console.log(`evaluate: ${rows} rows x 16 features, ${samplers.split(',').length} samplers x ${models.split(',').length} models x 5 folds = ${n} fits in ${seconds.toFixed(1)} s`);
