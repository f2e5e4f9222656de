// Benchmark of the gbdt fit alone (no CSV read): bench/gen.mjs's distribution (30 numeric
// features, 10 informative, 1% positives) generated in memory, then createGbdt().fit, timed.
// usage: node scripts/build.mjs && node bench/trees-fit.mjs [--rows 1000000] [--classes 2] [--threads N]
//        [--engine wasm|typescript] [--skip-predict]
// (--cpu-prof works: node --cpu-prof bench/trees-fit.mjs). Script, not a test.
import { parseArgs } from 'node:util';
import { createRng } from '../dist/core/rng.js';
import { createGbdt } from '../dist/models/gbdt.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    features: { type: 'string', default: '30' },
    classes: { type: 'string', default: '2' },
    threads: { type: 'string' },
    engine: { type: 'string' },
    'skip-predict': { type: 'boolean', default: false },
    minority: { type: 'string', default: '0.01' },
  },
});
const n = Number(values.rows);
const d = Number(values.features);
const k = Number(values.classes);
const rng = createRng(1);
const informative = Math.min(10, d);
const shift = Array.from({ length: k }, () => Float64Array.from({ length: d }, (_, j) => (j < informative ? 0.8 + 0.4 * rng.nextFloat() : 0)));
const features = Array.from({ length: d }, () => new Float64Array(n));
const labels = new Int32Array(n);
const minority = Number(values.minority);
for (let i = 0; i < n; i++) {
  const u = rng.nextFloat();
  // Class 1..k-1 share `minority` each; class 0 the rest.
  const y = u < minority * (k - 1) ? 1 + Math.floor(u / minority) : 0;
  labels[i] = y;
  for (let j = 0; j < d; j++) features[j][i] = Math.round((rng.nextNormal() + (y ? shift[y][j] * (j % k === y % k || k === 2 ? 1 : -1) : 0)) * 1e5) / 1e5;
}
const data = {
  nRows: n,
  featureNames: Array.from({ length: d }, (_, j) => `f${j}`),
  features,
  featureKinds: Array.from({ length: d }, () => 'numeric'),
  categories: Array.from({ length: d }, () => undefined),
  labels,
  classNames: Array.from({ length: k }, (_, c) => String(c)),
  passthrough: new Map(),
};
const opts = { ...(values.threads ? { threads: Number(values.threads) } : {}), ...(values.engine ? { engine: values.engine } : {}) };
const c0 = process.cpuUsage();
const t0 = performance.now();
const fitted = await createGbdt(opts).fit(data, createRng(42), { positive: 1 });
const t1 = performance.now();
const c1 = process.cpuUsage(c0);
const p = values['skip-predict'] ? new Float32Array(1) : await fitted.predictProba(data);
const t2 = performance.now();
let s = 0;
for (let i = 0; i < p.length; i++) s += p[i];
console.log(JSON.stringify({ rows: n, features: d, classes: k, engine: values.engine ?? 'auto', fitS: +((t1 - t0) / 1000).toFixed(2), fitCpuS: +((c1.user + c1.system) / 1e6).toFixed(2), predictS: +((t2 - t1) / 1000).toFixed(2), trees: fitted.trees.length, meanProba: +(s / n).toFixed(6), rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) }));
