// Benchmark: rebalance's cpu kNN self-query vs scikit-learn NearestNeighbors, same data, same run.
// Usage: node scripts/build.mjs && node bench/knn.mjs [--rows 50000] [--dims 30] [--k 6]
//        [--threads N] [--algorithm auto|brute|kd-tree] [--python /usr/bin/python3]
// Data: sklearn make_classification(n_samples=rows, n_features=dims, n_informative=min(10, dims),
// random_state=0) as float32, written to a temp file that both sides read.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCpuBackend } from '../dist/neighbors/cpu.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    dims: { type: 'string', default: '30' },
    k: { type: 'string', default: '6' },
    threads: { type: 'string' },
    algorithm: { type: 'string', default: 'auto' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const rows = Number(values.rows);
const dims = Number(values.dims);
const k = Number(values.k);

const dir = mkdtempSync(join(tmpdir(), 'rebalance-bench-knn-'));
try {
  const xFile = join(dir, 'x.f32');
  const nnFile = join(dir, 'nn.i32');
  const py = `
import sys, time, resource, json
import numpy as np
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors
rows, dims, k = ${rows}, ${dims}, ${k}
inf = min(10, dims)
red = min(2, dims - inf)
X, _ = make_classification(n_samples=rows, n_features=dims, n_informative=inf, n_redundant=red, random_state=0)
X = X.astype(np.float32)
X.tofile(${JSON.stringify(xFile)})
t0 = time.perf_counter()
nn = NearestNeighbors(n_neighbors=k + 1).fit(X)
dist, ind = nn.kneighbors(X)
t = time.perf_counter() - t0
ind.astype(np.int32).tofile(${JSON.stringify(nnFile)})
print(json.dumps({"seconds": t, "algorithm": nn._fit_method, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;
  const r = spawnSync(values.python, ['-c', py], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  const skl = JSON.parse(r.stdout.trim().split('\n').pop());

  const xb = readFileSync(xFile);
  const X = new Float32Array(xb.buffer, xb.byteOffset, rows * dims);
  const options = { algorithm: values.algorithm };
  if (values.threads) options.threads = Number(values.threads);
  const backend = createCpuBackend(options);
  const t0 = performance.now();
  const index = await backend.build(X, dims);
  const t1 = performance.now();
  const res = await index.querySelf(k);
  const t2 = performance.now();
  index.dispose();
  await backend.dispose();

  // Agreement: sklearn's k+1 columns minus the row itself (or minus its last column when a
  // duplicate displaced the row), as sets; differences must be ties at the k-th distance.
  const nb = readFileSync(nnFile);
  const sk = new Int32Array(nb.buffer, nb.byteOffset, rows * (k + 1));
  const d2 = (a, b) => {
    let s = 0;
    for (let j = 0; j < dims; j++) {
      const t = X[a * dims + j] - X[b * dims + j];
      s += t * t;
    }
    return s;
  };
  let differ = 0;
  let unexplained = 0;
  for (let q = 0; q < rows; q++) {
    const theirs = Array.from(sk.subarray(q * (k + 1), (q + 1) * (k + 1)));
    const at = theirs.indexOf(q);
    if (at >= 0) theirs.splice(at, 1);
    else theirs.pop();
    const ours = new Set(res.indices.subarray(q * k, (q + 1) * k));
    const extra = theirs.filter((i) => !ours.has(i));
    if (extra.length === 0) continue;
    differ++;
    const kth = d2(q, res.indices[(q + 1) * k - 1]);
    // A difference is a tie when sklearn's extra neighbour is (within float32 noise) as close as our k-th.
    if (extra.some((i) => Math.abs(d2(q, i) - kth) > 1e-5 * Math.max(kth, 1e-30))) unexplained++;
  }
  const ours = (t2 - t1) / 1000;
  const out = {
    rows, dims, k,
    threads: options.threads ?? 'auto',
    algorithm: values.algorithm,
    rebalance_build_s: +((t1 - t0) / 1000).toFixed(3),
    rebalance_query_s: +ours.toFixed(3),
    sklearn_s: +skl.seconds.toFixed(3),
    sklearn_method: skl.algorithm,
    ratio_sklearn_over_rebalance: +(skl.seconds / ours).toFixed(2),
    rows_with_different_sets: differ,
    differences_not_ties: unexplained,
    rebalance_peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    sklearn_peak_rss_mb: Math.round(skl.maxrss_mb),
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
