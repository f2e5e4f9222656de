/**
 * The Spark and Ray recipes (examples/spark, examples/ray) cannot run here: neither engine
 * installs. This runs their code with stand-ins (test/distributed/fake-engines: a sequential
 * pyspark DataFrame of partitions, a synchronous ray, a pyarrow whose tables are the bytes of Arrow
 * files) so that their step order is checked: the rows equal a single-machine resample of the
 * concatenated table. It says nothing of the engines themselves (scheduling, serialisation,
 * real Arrow batches). Needs the built CLI (dist/) and python3 (no package).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-in-process.js';
import { PYTHON } from '../helpers/python.js';
import { arrowRowMultiset, sortedEntries, tableRows, writeArrowSplit } from './tables.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const hasPython = spawnSync(PYTHON, ['-c', 'pass']).status === 0;

const SCRIPT = `
import json, os, sys
sys.dont_write_bytecode = True
sys.path[:0] = [${JSON.stringify(join(root, 'test/distributed/fake-engines'))}, ${JSON.stringify(join(root, 'examples/ray'))}, ${JSON.stringify(join(root, 'examples/spark'))}]
import pyarrow as pa
import pyspark
import ray
import rebalance_ray
import rebalance_spark
cfg = json.load(sys.stdin)
blobs = [pa.Blob(open(f, "rb").read()) for f in cfg["parts"]]
for r in cfg["runs"]:
    shared = r["output"] + "-shared"
    if r["engine"] == "ray":
        res = rebalance_ray.rebalance(ray.data.Dataset(blobs), r["method"], seed=r["seed"], shared=shared, plan_args=r["plan"]).blocks
    else:
        res = list(rebalance_spark.rebalance(pyspark.Session(), pyspark.DataFrame([[b] for b in blobs]), r["method"], seed=r["seed"], shared=shared, plan_args=r["plan"]).rows())
    os.makedirs(r["output"])
    for i, b in enumerate(res):
        open(os.path.join(r["output"], f"part-{i:05d}.arrow"), "wb").write(b.data)
`;

// Each engine: neighbours before synth, borderline-2's danger search and fetched rows, the
// synthetic rows cleaned (ENN blocks); one engine also the ENN rounds (the same loop in both
// recipes; each run costs ~10 s of process starts).
const SE2 = { name: 'se2', method: 'smote-enn', seed: 9, plan: ['--first', 'borderline-smote', '--variant', 'borderline-2'] };
const RENN = { name: 'renn', method: 'renn', seed: 42, plan: ['--strategy', 'all'] };
// near-miss: the minority gathered, score (version 3: with the partial shortlists), threshold, select.
const NM3 = { name: 'nm3', method: 'near-miss', seed: 42, plan: ['--near-miss-version', '3'] };
const NM2 = { name: 'nm2', method: 'near-miss', seed: 42, plan: ['--near-miss-version', '2', '--strategy', 'ok=300'] };
const RUNS = [
  { engine: 'ray', ...SE2 },
  { engine: 'spark', ...SE2 },
  { engine: 'spark', ...RENN },
  { engine: 'ray', ...NM3 },
  { engine: 'spark', ...NM2 },
] as const;

let dir: string;
let whole: string;

const files = (d: string): string[] => readdirSync(d).sort().map((f) => join(d, f));

// Skipped without python3 only outside CI: REBALANCE_REQUIRE_PARITY=1 (CI) makes a missing python3 fail, as dask.test.ts does.
describe.skipIf(!hasPython && process.env.REBALANCE_REQUIRE_PARITY !== '1')('Spark and Ray recipes with stand-in engines (3 Arrow partitions)', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('the recipes run bin/rebalance.js: build dist/ first (node scripts/build.mjs; npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'rebalance-recipes-'));
    const rows = tableRows(600, 6);
    const parts = join(dir, 'parts');
    mkdirSync(parts);
    writeArrowSplit(parts, rows, [170, 420]);
    whole = writeArrowSplit(dir, rows, [])[0];
    const runs = RUNS.map((r) => ({ ...r, output: join(dir, `out-${r.engine}-${r.name}`) }));
    const p = spawnSync(PYTHON, ['-c', SCRIPT], {
      input: JSON.stringify({ parts: files(parts), runs }),
      encoding: 'utf8',
      timeout: 10 * 60_000,
      env: { ...process.env, REBALANCE: join(root, 'bin/rebalance.js') },
    });
    if (p.status !== 0) throw new Error(`the recipes failed (${p.status}): ${p.stderr}`);
  }, 11 * 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const r of RUNS) {
    it(`${r.engine}: ${r.method} ${r.plan.join(' ')} gives the rows of a single-machine resample (multiset)`, async () => {
      const out = join(dir, `single-${r.engine}-${r.name}.arrow`);
      const s = await runCli(['resample', whole, '-m', r.method, '-o', out, '-q', '--knn-backend', 'cpu', '--seed', String(r.seed), ...r.plan]);
      expect(s.code, s.stderr).toBe(0);
      const d = arrowRowMultiset(files(join(dir, `out-${r.engine}-${r.name}`)));
      expect(sortedEntries(d)).toEqual(sortedEntries(arrowRowMultiset([out])));
      expect([...d.values()].reduce((x, y) => x + y, 0)).not.toBe(600);
    });
  }
});
