// Bench: `rebalance evaluate` with 8 samplers x 3 models (logistic, mlp, gbdt) x 5 folds x 1 repeat on
// a 20k-row, 16-feature table (issue #14 bar: under 90 s on a 2-core machine). Script, not a test.
// Prints wall time and the CPU seconds of the evaluate process (user + system: comparable on a
// shared machine, where wall time is not).
// usage: node bench/evaluate.mjs [--rows 20000] [--models logistic,mlp,gbdt] [--samplers a,b,...] [--repeats 1]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from './gen.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: node bench/evaluate.mjs [--rows 20000] [--models logistic,mlp,gbdt] [--samplers a,b,...] [--repeats 1]';
let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      help: { type: 'boolean', short: 'h' },
      rows: { type: 'string', default: '20000' },
      models: { type: 'string', default: 'logistic,mlp,gbdt' },
      repeats: { type: 'string', default: '1' },
      samplers: { type: 'string', default: 'none,random-under,random-over,smote,borderline-smote,adasyn,tomek-links,smote-enn' },
    },
  }));
} catch (e) {
  console.error(`bench/evaluate.mjs: ${e.message}\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const rows = Number(opts.rows);
const models = opts.models;
const samplers = opts.samplers;
const dir = join(tmpdir(), 'rebalance-bench');
mkdirSync(dir, { recursive: true });
const input = join(dir, `eval-${rows}x16.csv`);
if (!existsSync(input)) await generate({ rows, features: 16, minority: 0.05, seed: 7, out: input });
const argv = [join(root, 'bin', 'rebalance.js'), 'evaluate', input, '--samplers', samplers, '--models', models, '--folds', '5', '--repeats', opts.repeats, '-q'];
/** CPU seconds (user + system) of this process's waited-for children, from /proc (Linux; null elsewhere). */
function childCpu() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) / 100; // cutime, cstime: fields 16 and 17, in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}
const t = performance.now();
const cpu0 = childCpu();
const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
const seconds = (performance.now() - t) / 1000;
const cpu1 = childCpu();
if (r.status !== 0) {
  console.error(r.stderr);
  process.exit(1);
}
process.stdout.write(r.stdout);
const n = samplers.split(',').length * models.split(',').length * 5 * Number(opts.repeats);
console.log(`evaluate: ${rows} rows x 16 features, ${samplers.split(',').length} samplers x ${models.split(',').length} models x 5 folds x ${opts.repeats} repeat(s) = ${n} fits in ${seconds.toFixed(1)} s${cpu0 === null || cpu1 === null ? '' : ` (${(cpu1 - cpu0).toFixed(1)} CPU s)`}`);
