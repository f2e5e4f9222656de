// Benchmark: Tomek links and ENN (rebalance, built dist/) against imbalanced-learn in the same run,
// on seeded synthetic data from scikit-learn's make_classification written as raw float64 / int32
// files that both sides read. Reports seconds, the ratio, peak RSS of each side (separate child
// processes per method) and whether the removed row sets are identical.
// usage: node scripts/build.mjs && node bench/cleaning.mjs [--rows 100000] [--features 30]
//        [--minority 0.01] [--seed 1] [--backend cpu|naive] [--threads N] [--methods tomek,enn]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = process.env.REBALANCE_PYTHON ?? '/usr/bin/python3';

function args(argv) {
  const o = { rows: 100000, features: 30, minority: 0.01, seed: 1, backend: 'cpu', threads: 0, methods: 'tomek,enn', child: null, dir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const key = a.slice(2);
    const v = argv[++i];
    if (!(key in o)) throw new Error(`unknown option ${a}`);
    o[key] = typeof o[key] === 'number' ? Number(v) : v;
  }
  return o;
}

const PY_METHODS = {
  tomek: 'TomekLinks()',
  enn: 'EditedNearestNeighbours()',
};

/** Child: run one rebalance method on the binary files, write removed rows, print JSON. */
async function child(o) {
  const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
  const { makeDataset } = await import(dist('dataset/make.js'));
  const { resolveStrategy } = await import(dist('samplers/strategy.js'));
  const { createRng } = await import(dist('core/rng.js'));
  const defs = {
    tomek: (await import(dist('samplers/tomek-links.js'))).tomekLinksDefinition,
    enn: (await import(dist('samplers/enn.js'))).ennDefinition,
  };
  const xb = readFileSync(join(o.dir, 'x.bin'));
  const yb = readFileSync(join(o.dir, 'y.bin'));
  const x = new Float64Array(xb.buffer, xb.byteOffset, xb.byteLength / 8);
  const y = new Int32Array(yb.buffer, yb.byteOffset, yb.byteLength / 4);
  const n = y.length;
  const d = x.length / n;
  const features = {};
  for (let j = 0; j < d; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = x[i * d + j];
    features[`f${j}`] = col;
  }
  const data = makeDataset({ features, labels: y });
  const counts = new Int32Array(data.classNames.length);
  for (const c of data.labels) counts[c]++;
  const def = defs[o.child];
  const plan = resolveStrategy('auto', counts, def.kind, data.classNames);
  let knn;
  if (o.backend === 'naive') knn = (await import(dist('neighbors/naive.js'))).createNaiveBackend();
  else knn = (await import(dist('neighbors/cpu.js'))).createCpuBackend(o.threads > 0 ? { threads: o.threads } : {});
  const t0 = performance.now();
  const res = await def.create({}).fitResample(data, plan, createRng(o.seed), { knn, log: () => {} });
  const seconds = (performance.now() - t0) / 1000;
  await knn.dispose();
  const keep = new Uint8Array(n);
  for (const r of res.indices) keep[r] = 1;
  const removed = [];
  for (let i = 0; i < n; i++) if (!keep[i]) removed.push(i);
  writeFileSync(join(o.dir, `removed-js-${o.child}.bin`), Buffer.from(Int32Array.from(removed).buffer));
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ seconds, removed: removed.length, maxRssMb }) + '\n');
}

function python(code) {
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout;
}

async function main() {
  const o = args(process.argv.slice(2));
  if (o.child) return child(o);
  const dir = mkdtempSync(join(tmpdir(), 'rebalance-bench-cleaning-'));
  try {
    // imbalanced-learn's README-style data: make_classification, float64 features, int32 labels.
    python(`
import numpy as np
from sklearn.datasets import make_classification
X, y = make_classification(n_samples=${o.rows}, n_features=${o.features}, n_informative=10, n_redundant=5,
    weights=[${1 - o.minority}], flip_y=0.01, class_sep=1.0, random_state=${o.seed})
X.astype(np.float64).tofile(${JSON.stringify(join(dir, 'x.bin'))})
y.astype(np.int32).tofile(${JSON.stringify(join(dir, 'y.bin'))})
`);
    const rows = [];
    for (const m of o.methods.split(',')) {
      const py = JSON.parse(
        python(`
import json, resource, time, warnings
warnings.filterwarnings('ignore')
import numpy as np
from imblearn.under_sampling import TomekLinks, EditedNearestNeighbours
X = np.fromfile(${JSON.stringify(join(dir, 'x.bin'))}, dtype=np.float64).reshape(-1, ${o.features})
y = np.fromfile(${JSON.stringify(join(dir, 'y.bin'))}, dtype=np.int32)
s = ${PY_METHODS[m]}
t = time.perf_counter(); s.fit_resample(X, y); dt = time.perf_counter() - t
keep = np.zeros(len(y), bool); keep[s.sample_indices_] = True
removed = np.flatnonzero(~keep).astype(np.int32)
removed.tofile(${JSON.stringify(join(dir, `removed-py-${m}.bin`))})
print(json.dumps({'seconds': dt, 'removed': int(removed.size), 'maxRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`),
      );
      const cargs = [fileURLToPath(import.meta.url), '--child', m, '--dir', dir, '--seed', String(o.seed), '--backend', o.backend, '--threads', String(o.threads)];
      const r = spawnSync(process.execPath, cargs, { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`rebalance child failed: ${r.stderr}`);
      const js = JSON.parse(r.stdout.trim().split('\n').pop());
      const a = readFileSync(join(dir, `removed-js-${m}.bin`));
      const b = readFileSync(join(dir, `removed-py-${m}.bin`));
      rows.push({ method: m, js, py, same: Buffer.compare(a, b) === 0 });
    }
    console.log(`rows=${o.rows} features=${o.features} minority=${o.minority} seed=${o.seed} backend=${o.backend}`);
    console.log('method  rebalance_s  imblearn_s  speedup  rebalance_rss_mb  imblearn_rss_mb  removed  same_rows');
    for (const { method, js, py, same } of rows) {
      console.log(
        [method.padEnd(6), js.seconds.toFixed(3).padStart(11), py.seconds.toFixed(3).padStart(11), (py.seconds / js.seconds).toFixed(2).padStart(8),
          js.maxRssMb.toFixed(0).padStart(17), py.maxRssMb.toFixed(0).padStart(16), `${js.removed}/${py.removed}`.padStart(8), String(same).padStart(10)].join('  '),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
