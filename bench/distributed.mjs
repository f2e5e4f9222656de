// Distributed vs single machine (issue #16): a generated table (bench/gen.mjs) split into P CSV
// partitions; the Dask driver (examples/dask/rebalance_dask.py, LocalCluster of W worker
// processes) against `rebalance resample` on the whole table, in the same run. Reports wall time,
// the peak RSS of the single-machine process and of the largest rebalance process each Dask
// worker started (getrusage RUSAGE_CHILDREN on the worker), and checks the outputs are equal as
// multisets (SMOTE, Tomek links).
// usage: node bench/distributed.mjs [--rows 1000000] [--features 30] [--parts 8] [--workers 2] [--methods smote,tomek-links]
//        [--dask-only tomek-links] (no single-machine run of those methods: Tomek links at 1M took 1302 s)
//        [--args='--near-miss-version 3'] (sampler flags for both runs: resample, and the driver's plan_args)
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from './gen.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, features: { type: 'string', default: '30' }, parts: { type: 'string', default: '8' }, workers: { type: 'string', default: '2' }, methods: { type: 'string', default: 'smote,tomek-links' }, keep: { type: 'boolean', default: false }, 'dask-only': { type: 'string', default: '' }, args: { type: 'string', default: '' } } });
const extraArgs = values.args.split(/\s+/).filter(Boolean);
const daskOnly = new Set(values['dask-only'].split(',').filter(Boolean));
const rows = Number(values.rows);
const parts = Number(values.parts);
const workers = Number(values.workers);
const PY = process.env.REBALANCE_PYTHON ?? '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'rebalance-bench-dist-'));
const whole = join(dir, 'all.csv');
await generate({ rows, features: Number(values.features), minority: 0.01, seed: 1, out: whole });

// Split the CSV into `parts` files of about equal rows (header repeated).
const partDir = join(dir, 'parts');
mkdirSync(partDir);
{
  const per = Math.ceil(rows / parts);
  const rl = createInterface({ input: createReadStream(whole), crlfDelay: Infinity });
  let header = null;
  let out = null;
  let i = 0;
  for await (const line of rl) {
    if (header === null) {
      header = line;
      continue;
    }
    if (i % per === 0) {
      if (out) await new Promise((r) => out.end(r));
      out = createWriteStream(join(partDir, `p${String(i / per).padStart(3, '0')}.csv`));
      out.write(header + '\n');
    }
    if (!out.write(line + '\n')) await new Promise((r) => out.once('drain', r));
    i++;
  }
  await new Promise((r) => out.end(r));
}

function measure(cmd) {
  return JSON.parse(execFileSync(PY, [join(root, 'bench/measure.py'), cmd], { encoding: 'utf8', maxBuffer: 1 << 26 }));
}

const DASK = `
import json, resource, sys, time
sys.path.insert(0, ${JSON.stringify(join(root, 'examples/dask'))})
import rebalance_dask
from dask.distributed import Client, LocalCluster
inp, out, method, workers, plan_args = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.argv[5])
cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
client = Client(cluster)
t = time.perf_counter()
s = rebalance_dask.run(inp, out, method, client=client, plan_args=plan_args, knn_args=["--knn-backend", "cpu"])
dt = time.perf_counter() - t
rss = client.run(lambda: resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
client.close(); cluster.close()
print(json.dumps({"seconds": dt, "worker_child_max_rss_mb": sorted(rss.values()), "rowsWritten": s["rowsWritten"]}))
`;

async function multisetEqual(fileA, dirB) {
  const count = async (files) => {
    const m = new Map();
    for (const f of files) {
      const rl = createInterface({ input: createReadStream(f), crlfDelay: Infinity });
      let first = true;
      for await (const l of rl) {
        if (first) { first = false; continue; }
        m.set(l, (m.get(l) ?? 0) + 1);
      }
    }
    return m;
  };
  const a = await count([fileA]);
  const b = await count(readdirSync(dirB).filter((f) => f.startsWith('part-')).sort().map((f) => join(dirB, f)));
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

const bin = join(root, 'bin/rebalance.js');
console.log(`# ${rows} rows x ${values.features}, 1% minority, ${parts} CSV partitions, Dask LocalCluster ${workers} workers; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const method of values.methods.split(',')) {
  const out = join(dir, `single-${method}.csv`);
  const single = daskOnly.has(method) ? null : measure(`node ${bin} resample ${whole} -m ${method} --knn-backend cpu -q -o ${out} ${extraArgs.join(' ')}`);
  const outDir = join(dir, `dask-${method}`);
  const d = spawnSync(PY, ['-c', DASK, partDir, outDir, method, String(workers), JSON.stringify(extraArgs)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (d.status !== 0) throw new Error(d.stderr);
  const dask = JSON.parse(d.stdout.trim().split('\n').pop());
  const equal = single ? await multisetEqual(out, outDir) : null;
  const s = single ? { single_s: +single.seconds.toFixed(2), single_rss_mb: Math.round(single.max_rss_mb), ratio: +(dask.seconds / single.seconds).toFixed(2) } : {};
  console.log(JSON.stringify({ method, ...(extraArgs.length ? { args: extraArgs.join(' ') } : {}), ...s, dask_s: +dask.seconds.toFixed(2), dask_max_process_rss_mb: Math.round(Math.max(...dask.worker_child_max_rss_mb)), rows_written: dask.rowsWritten, equal_multiset: equal }));
}
if (!values.keep) rmSync(dir, { recursive: true, force: true });
