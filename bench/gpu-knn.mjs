// Benchmark: self-query kNN on the webgpu backend vs the cpu backend, same data, same machine.
// Prints the adapter (name, driver) first, then one markdown table:
//   rows | dims | k | cpu s | webgpu s | speed-up | equal
// Times include build (upload) and read-back; a warm-up first compiles the kernel and, for sizes
// that re-rank on worker threads, starts those threads (once per process, like the peer's import).
// Each run also prints where its milliseconds went (center, upload, device wait, re-rank, collect,
// exact).
// Needs only node and the project directory with node_modules and dist/ (bench/gpu.sh checks).
//
//   node bench/gpu-knn.mjs                              # 100000x30 and 1000000x30, k=6
//   node bench/gpu-knn.mjs --sizes 20000x30 --k 6       # any list of ROWSxDIMS
//   node bench/gpu-knn.mjs --cpu-full-max 200000        # above: cpu on a query sample, extrapolated
//   node bench/gpu-knn.mjs --allow-software             # also run on llvmpipe (CPU adapter)
//   node bench/gpu-knn.mjs --plan queriesPerBatch=262144,workgroupSize=64,tileRows=64 --extra 4
//                                                       # tuning knobs (see src/neighbors/webgpu/plan.ts)
//   node bench/gpu-knn.mjs --variants 'workgroupSize=64;tileRows=0;extra=4;rerankThreads=0;candidateLists=storage;robustKernels=1'
//                                                       # also time these plans (one table row each;
//                                                       # extra=N: candidates kept beyond k;
//                                                       # rerankThreads=N: re-rank workers, 0 = none;
//                                                       # robustKernels=1: Dawn's index clamping;
//                                                       # toggles=a+b: more Dawn toggles)
//   node bench/gpu-knn.mjs --peer python3 --peer-max 200000
//                                                       # scikit-learn NearestNeighbors on the same data
//
// The cpu baseline is createCpuBackend() from dist/neighbors/cpu.js; when that is missing the
// naive float64 reference stands in for small sizes only. Above --cpu-full-max rows the cpu side
// answers a random sample of queries (index.query with k+1, self removed by row id), its query
// time is scaled to all rows and its build time added once (marked ~) and "equal" compares the sampled rows. Everything stops at the
// --budget (default 540 s) so the whole run fits in 10 minutes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: join(root, 'dist') },
    sizes: { type: 'string', default: '100000x30,1000000x30' },
    k: { type: 'string', default: '6' },
    'cpu-full-max': { type: 'string', default: '200000' },
    'cpu-sample': { type: 'string', default: '20000' },
    budget: { type: 'string', default: '540' },
    seed: { type: 'string', default: '42' },
    'allow-software': { type: 'boolean', default: false },
    plan: { type: 'string', default: '' },
    extra: { type: 'string' },
    variants: { type: 'string', default: '' },
    'variant-max': { type: 'string', default: '1000000' },
    peer: { type: 'string' },
    'peer-max': { type: 'string', default: '200000' },
  },
});
const dist = (p) => pathToFileURL(join(values.dist, p)).href;
const started = performance.now();
const budgetMs = Number(values.budget) * 1000;
const left = () => budgetMs - (performance.now() - started);
const k = Number(values.k);
const sizes = values.sizes.split(',').map((s) => s.split('x').map(Number));
const cpuFullMax = Number(values['cpu-full-max']);
const NAIVE_MAX = 5000;

if (!existsSync(join(values.dist, 'neighbors', 'webgpu', 'index.js'))) {
  console.error(`${values.dist}/neighbors/webgpu/index.js is missing: build first (node scripts/build.mjs)`);
  process.exit(1);
}
const { createWebgpuBackend, adapterName, PARALLEL_RERANK_MIN } = await import(dist('neighbors/webgpu/index.js'));
const { createRng } = await import(dist('core/rng.js'));
const { naiveKnn } = await import(dist('neighbors/naive.js'));
let createCpuBackend = null;
try {
  ({ createCpuBackend } = await import(dist('neighbors/cpu.js')));
} catch (e) {
  console.log(`note: cpu backend unavailable (${e.message.split('\n')[0]}); naive reference up to ${NAIVE_MAX} rows`);
}

const parsePlan = (text) =>
  Object.fromEntries(
    text
      .split(',')
      .filter((s) => s)
      .map((kv) => kv.split('='))
      .map(([key, v]) => [key, v !== '' && Number.isFinite(Number(v)) ? Number(v) : v]),
  );
const plan = parsePlan(values.plan);
/**
 * A plan may also carry backend options: `extra=N` (candidates kept beyond k),
 * `rerankThreads=N` (worker threads of the exact re-rank; 0 = in the calling thread) and
 * `robustKernels=1` (Dawn's index clamping and loop guards in the kernels, off by default) and
 * `toggles=a+b` (more Dawn toggles).
 */
const openGpu = ({ extra = values.extra, rerankThreads, robustKernels, toggles, ...p }) =>
  createWebgpuBackend({
    requireGpu: !values['allow-software'],
    log: (m) => console.log(`note: ${m}`),
    plan: p,
    ...(extra === undefined ? {} : { extraCandidates: Number(extra) }),
    ...(rerankThreads === undefined ? {} : { rerankThreads }),
    ...(robustKernels === undefined ? {} : { robustKernels: Boolean(robustKernels) }),
    ...(toggles === undefined ? {} : { dawnToggles: String(toggles).split('+') }),
  });
const gpu = await openGpu(plan);
const variants = values.variants.split(';').filter((v) => v.trim());
const a = gpu.adapter;
console.log(`adapter: ${adapterName(a)} | backend: ${a.backendType} | architecture: ${a.architecture || '-'} | driver: ${a.description || '-'}${a.software ? ' | SOFTWARE' : ''}`);
console.log(`limits: maxStorageBufferBindingSize=${gpu.limits.maxStorageBufferBindingSize} maxBufferSize=${gpu.limits.maxBufferSize} maxComputeWorkgroupStorageSize=${gpu.limits.maxComputeWorkgroupStorageSize} maxComputeInvocationsPerWorkgroup=${gpu.limits.maxComputeInvocationsPerWorkgroup}`);
if (Object.keys(plan).length) console.log(`plan overrides: ${JSON.stringify(plan)}`);
console.log(`host: ${cpus()[0]?.model ?? 'cpu'} x${availableParallelism()} | node ${process.version} | ${new Date().toISOString()}`);

function uniformPoints(n, dim, seed) {
  const rng = createRng(seed).fork(`gpu-bench/${n}x${dim}`);
  const p = new Float32Array(n * dim);
  for (let i = 0; i < p.length; i++) p[i] = rng.nextFloat() * 2 - 1;
  return p;
}

/** Row i of `got` (self-query, k) equals the k+1 query row minus row id i. */
function rowMatchesSelf(got, i, full, s) {
  let t = 0;
  for (let u = 0; u < full.k && t < got.k; u++) {
    const j = full.indices[s * full.k + u];
    if (j === i) continue;
    if (got.indices[i * got.k + t] !== j || !Object.is(got.distances[i * got.k + t], full.distances[s * full.k + u])) return false;
    t++;
  }
  return t === got.k;
}

/**
 * scikit-learn's NearestNeighbors(n_neighbors=k+1) fit + kneighbors on the same float32 points,
 * timed inside Python; returns seconds and how many rows have the same neighbour set (self removed).
 */
function sklearnSelfQuery(points, n, dim, got) {
  const dir = mkdtempSync(join(tmpdir(), 'rebalance-gpu-peer-'));
  try {
    const x = join(dir, 'x.f32');
    const nnFile = join(dir, 'nn.i32');
    writeFileSync(x, Buffer.from(points.buffer, points.byteOffset, points.byteLength));
    const py = [
      'import json, time, numpy as np',
      'from sklearn.neighbors import NearestNeighbors',
      `X = np.fromfile(${JSON.stringify(x)}, dtype=np.float32).reshape(${n}, ${dim})`,
      't0 = time.perf_counter()',
      `nn = NearestNeighbors(n_neighbors=${k + 1}).fit(X)`,
      'd, ind = nn.kneighbors(X)',
      't = time.perf_counter() - t0',
      `ind.astype(np.int32).tofile(${JSON.stringify(nnFile)})`,
      'import sklearn',
      'print(json.dumps({"seconds": t, "algorithm": nn._fit_method, "version": sklearn.__version__}))',
    ].join('\n');
    const r = spawnSync(values.peer, ['-c', py], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: Math.floor(Math.max(10000, left() - 20000)) });
    if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop() };
    const info = JSON.parse(r.stdout.trim().split('\n').pop());
    const nb = readFileSync(nnFile);
    const sk = new Int32Array(nb.buffer, nb.byteOffset, n * (k + 1));
    let same = 0;
    for (let i = 0; i < n; i++) {
      const want = new Set();
      for (let u = 0; u <= k && want.size < k; u++) if (sk[i * (k + 1) + u] !== i) want.add(sk[i * (k + 1) + u]);
      let ok = want.size === k;
      for (let u = 0; u < k && ok; u++) ok = want.has(got.indices[i * k + u]);
      if (ok) same++;
    }
    return { ...info, same };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sameBytes(x, y) {
  return Buffer.from(x.indices.buffer).equals(Buffer.from(y.indices.buffer)) && Buffer.from(x.distances.buffer).equals(Buffer.from(y.distances.buffer));
}

/**
 * Times build + self-query on one backend. The warm-up compiles the kernel; at sizes whose search
 * re-ranks on worker threads it is that large too, so the process's workers are up before the clock starts.
 */
async function timeGpu(backend, points, n, dim) {
  const w = Math.min(n, n >= (PARALLEL_RERANK_MIN ?? Infinity) ? PARALLEL_RERANK_MIN : 256);
  const warm = await backend.build(points.subarray(0, w * dim), dim);
  await warm.querySelf(Math.min(k, w - 1));
  warm.dispose();
  const t = performance.now();
  const gi = await backend.build(points, dim);
  const got = await gi.querySelf(k);
  const seconds = (performance.now() - t) / 1000;
  const rescans = gi.lastStats?.exactScans ?? 0;
  const phases = describePhases(gi.buildPhases, gi.lastStats?.phases);
  gi.dispose();
  return { got, seconds, rescans, phases };
}

/** One line saying where a timed run's milliseconds went (backend.ts BuildPhases, SearchPhases). */
function describePhases(build, search) {
  if (!build || !search) return 'phases: n/a (dist/ predates phase timings)';
  const ms = (v) => `${Math.round(v)}`;
  return (
    `phases (ms): build center ${ms(build.centerMs)}, upload ${ms(build.uploadMs)}; search compile ${ms(search.compileMs)}, ` +
    `submit ${ms(search.submitMs)}, device wait ${ms(search.waitMs)}, re-rank ${ms(search.rerankMs)}, collect ${ms(search.collectMs)}, exact ${ms(search.exactMs)}, total ${ms(search.totalMs)}`
  );
}

const rows = [];
const peerRows = [];
/** Numbers behind the table, for the bar lines at the end: { n, dim, plan, gpu, cpu, peer }. */
const measured = [];
for (const [n, dim] of sizes) {
  if (left() < 30000) {
    rows.push({ n, dim, plan: 'default', cpu: 'skipped (time budget)', gpu: '-', speed: '-', equal: '-' });
    continue;
  }
  const points = uniformPoints(n, dim, Number(values.seed));
  const { got, seconds: gpuS, rescans: fallbacks, phases } = await timeGpu(gpu, points, n, dim);
  console.log(`${n}x${dim} default ${phases}`);

  let cpuS = null;
  let approx = false;
  let equal = 'n/a';
  let cpuName = 'cpu';
  let t;
  if (createCpuBackend && n <= cpuFullMax) {
    const cpu = createCpuBackend();
    t = performance.now();
    const ci = await cpu.build(points, dim);
    const want = await ci.querySelf(k);
    cpuS = (performance.now() - t) / 1000;
    ci.dispose();
    await cpu.dispose();
    equal = sameBytes(got, want) ? 'yes' : 'NO';
  } else if (createCpuBackend) {
    const m = Math.min(n, Number(values['cpu-sample']));
    const rng = createRng(7);
    const ids = Array.from({ length: m }, () => rng.nextInt(n));
    const qs = new Float32Array(m * dim);
    ids.forEach((i, s) => qs.set(points.subarray(i * dim, i * dim + dim), s * dim));
    const cpu = createCpuBackend();
    t = performance.now();
    const ci = await cpu.build(points, dim);
    const built = performance.now();
    const full = await ci.query(qs, k + 1);
    // Build once, queries scaled from the sample to all rows.
    cpuS = ((built - t) + (performance.now() - built) * (n / m)) / 1000;
    approx = true;
    ci.dispose();
    await cpu.dispose();
    var check = (g) => ids.every((i, s) => rowMatchesSelf(g, i, full, s));
    equal = check(got) ? `yes (${m} sampled rows)` : `NO (${m} sampled rows)`;
  } else if (n <= NAIVE_MAX) {
    cpuName = 'naive';
    t = performance.now();
    const want = naiveKnn(points, dim, points, k, true);
    cpuS = (performance.now() - t) / 1000;
    equal = sameBytes(got, want) ? 'yes' : 'NO';
  }
  const cell = (s) => (cpuS === null ? '-' : `${approx ? '~' : ''}${(cpuS / s).toFixed(1)}x`);
  const cpuCell = cpuS === null ? 'n/a' : `${approx ? '~' : ''}${cpuS.toFixed(2)}${cpuName === 'cpu' ? '' : ` (${cpuName})`}`;
  rows.push({ n, dim, plan: values.plan || 'default', cpu: cpuCell, gpu: gpuS.toFixed(2) + (fallbacks ? ` (${fallbacks} exact rescans)` : ''), speed: cell(gpuS), equal });
  const base = { n, dim, plan: values.plan || 'default', gpu: gpuS, cpu: cpuS, ok: !String(equal).startsWith('NO') };
  measured.push(base);
  console.log(`done: ${n}x${dim} webgpu ${gpuS.toFixed(2)} s, cpu ${cpuCell} s, equal ${equal} (${((performance.now() - started) / 1000).toFixed(0)} s)`);

  if (values.peer && n <= Number(values['peer-max']) && left() > 60000) {
    const p = sklearnSelfQuery(points, n, dim, got);
    if (p.error) peerRows.push({ n, dim, text: `failed: ${p.error}` });
    else {
      peerRows.push({ n, dim, text: `${p.seconds.toFixed(2)} | ${gpuS.toFixed(2)} | ${(p.seconds / gpuS).toFixed(1)}x | ${p.algorithm}, scikit-learn ${p.version} | ${p.same}/${n}` });
      base.peer = p.seconds;
    }
    console.log(`done: ${n}x${dim} scikit-learn ${p.error ?? p.seconds.toFixed(2) + ' s'}`);
  }

  // Other plans on the same data (tuning): each is checked against the cpu answer as well.
  for (const v of n <= Number(values['variant-max']) ? variants : []) {
    if (left() < 30000) break;
    let vb = null;
    try {
      vb = await openGpu({ ...plan, ...parsePlan(v) });
      const r = await timeGpu(vb, points, n, dim);
      const eq = approx ? (check(r.got) ? 'yes (sampled)' : 'NO (sampled)') : sameBytes(r.got, got) ? equal : 'NO (differs from the default plan)';
      rows.push({ n, dim, plan: v, cpu: cpuCell, gpu: r.seconds.toFixed(2) + (r.rescans ? ` (${r.rescans} exact rescans)` : ''), speed: cell(r.seconds), equal: eq });
      measured.push({ n, dim, plan: v, gpu: r.seconds, cpu: cpuS, ok: !eq.startsWith('NO') });
      console.log(`done: ${n}x${dim} plan ${v}: webgpu ${r.seconds.toFixed(2)} s, equal ${eq}; ${r.phases}`);
    } catch (e) {
      rows.push({ n, dim, plan: v, cpu: cpuCell, gpu: `failed: ${String(e.message).split('\n')[0]}`, speed: '-', equal: '-' });
    } finally {
      await vb?.dispose();
    }
  }
}
await gpu.dispose();

console.log('');
console.log('| rows | dims | k | plan | cpu seconds | webgpu seconds | speed-up | equal results |');
console.log('|---:|---:|---:|:---|---:|---:|---:|:---|');
for (const r of rows) console.log(`| ${r.n} | ${r.dim} | ${k} | ${r.plan} | ${r.cpu} | ${r.gpu} | ${r.speed} | ${r.equal} |`);
if (peerRows.length) {
  console.log('');
  console.log('| rows | dims | k | scikit-learn seconds | webgpu seconds | speed-up | sklearn method | same neighbour sets |');
  console.log('|---:|---:|---:|---:|---:|---:|:---|---:|');
  for (const r of peerRows) console.log(`| ${r.n} | ${r.dim} | ${k} | ${r.text} |`);
}
if (rows.some((r) => String(r.equal).startsWith('NO'))) process.exitCode = 1;

// The GPU issue's bars, read off this run (default plan first, then the best correct plan).
const at = (n) => measured.filter((m) => m.n === n && m.dim === 30 && m.ok);
if (k === 6 && (at(1000000).length || at(100000).length)) {
  console.log('');
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  const [d1m, ...v1m] = at(1000000);
  if (d1m) {
    const best = [d1m, ...v1m].reduce((a, b) => (b.gpu < a.gpu ? b : a));
    console.log(`bar: 1000000x30 k=6 self-query under 5 s: ${d1m.gpu.toFixed(2)} s with the default plan, ${verdict(d1m.gpu < 5)}; best ${best.gpu.toFixed(2)} s (${best.plan})`);
    if (d1m.cpu) console.log(`bar: 1000000x30 at least 20x the cpu backend: ~${(d1m.cpu / d1m.gpu).toFixed(1)}x, ${verdict(d1m.cpu / d1m.gpu >= 20)}`);
  }
  const d100k = at(100000)[0];
  if (d100k?.peer) console.log(`bar: 100000x30 at least 10x scikit-learn: ${(d100k.peer / d100k.gpu).toFixed(1)}x (${d100k.peer.toFixed(2)} s vs ${d100k.gpu.toFixed(2)} s, default plan), ${verdict(d100k.peer / d100k.gpu >= 10)}`);
}
