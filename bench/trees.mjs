// Benchmark: end-to-end `train -m none --model gbdt` (read CSV, fit, save the model) on a 1M x 30
// table with 1% positives, and `--model random-forest` (100 trees) on 100k x 30, against
// pandas.read_csv + scikit-learn's HistGradientBoostingClassifier().fit /
// RandomForestClassifier(n_jobs=-1).fit on the same files. Wall time and peak RSS of each
// (bench/measure.py). Script, not a test.
// usage: node scripts/build.mjs && node bench/trees.mjs [--gbdt-rows 1000000] [--forest-rows 100000] [--trees 100]
//        [--models gbdt,random-forest]
// Uses `rebalance train` when the built CLI accepts the model, else the same job (runTrain) in a child node.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from './gen.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    'gbdt-rows': { type: 'string', default: '1000000' },
    'forest-rows': { type: 'string', default: '100000' },
    trees: { type: 'string', default: '100' },
    models: { type: 'string', default: 'gbdt,random-forest' },
    input: { type: 'string' },
    output: { type: 'string' },
  },
});

if (values.child) {
  // The train job as `rebalance train IN -m none --model <child> -o OUT` runs it.
  const { runTrain } = await import('../dist/pipeline/model-file.js');
  const { createRng } = await import('../dist/core/rng.js');
  const { createNaiveBackend } = await import('../dist/neighbors/naive.js');
  await runTrain({
    input: values.input,
    output: values.output,
    method: 'none',
    model: values.child,
    modelOptions: { nEstimators: Number(values.trees) },
    rng: createRng(42),
    seed: 42,
    knn: createNaiveBackend(),
    log: () => {},
    version: 'bench',
  });
  process.exit(0);
}

const dir = join(tmpdir(), 'rebalance-bench');
mkdirSync(dir, { recursive: true });
const python = process.env.REBALANCE_PYTHON ?? '/usr/bin/python3';
const cliAccepts = (model) =>
  spawnSync(process.execPath, [join(root, 'bin/rebalance.js'), 'train', '--help'], { encoding: 'utf8' }).stdout.includes(model);

function measure(cmd) {
  const out = execFileSync(python, [join(here, 'measure.py'), cmd], { encoding: 'utf8' });
  const r = JSON.parse(out);
  if (r.code !== 0) throw new Error(`${cmd} failed (${r.code}): ${r.stderr}`);
  return r;
}

const cases = [
  { model: 'gbdt', rows: Number(values['gbdt-rows']), peer: 'HistGradientBoostingClassifier().fit' },
  { model: 'random-forest', rows: Number(values['forest-rows']), peer: `RandomForestClassifier(${values.trees}, n_jobs=-1).fit` },
].filter((c) => values.models.split(',').includes(c.model));
console.log('| task | rebalance s | rebalance peak RSS MB | peer | peer s | peer peak RSS MB |');
console.log('|---|---:|---:|---|---:|---:|');
for (const c of cases) {
  const input = join(dir, `trees-${c.rows}x30.csv`);
  if (!existsSync(input)) await generate({ rows: c.rows, features: 30, minority: 0.01, seed: 1, out: input });
  const model = join(dir, `trees-${c.model}.json`);
  const ours = cliAccepts(c.model)
    ? `${process.execPath} ${join(root, 'bin/rebalance.js')} train ${input} -m none --model ${c.model} -o ${model} -q`
    : `${process.execPath} ${join(here, 'trees.mjs')} --child ${c.model} --trees ${values.trees} --input ${input} --output ${model}`;
  const a = measure(ours);
  const b = measure(`${python} ${join(here, 'trees-peer.py')} ${input} ${c.model} ${values.trees}`);
  console.log(
    `| ${c.model} train, ${c.rows.toLocaleString('en')} x 30 CSV | ${a.seconds.toFixed(1)} | ${a.max_rss_mb.toFixed(0)} | ${c.peer} | ${b.seconds.toFixed(1)} | ${b.max_rss_mb.toFixed(0)} |`,
  );
}
