/**
 * The Dask driver (examples/dask/rebalance_dask.py) on a LocalCluster of 2 worker processes,
 * imported as a module and sharing one cluster for every run: the CI bars of issue #16 on a
 * generated table in 8 partitions. Needs the built CLI (dist/, as `npm test` builds it) and
 * python3 with dask.distributed; skipped without it unless REBALANCE_REQUIRE_PARITY=1 (CI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-in-process.js';
import { PYTHON } from '../helpers/python.js';
import { HEADER, labelCounts, partFiles, rowMultiset, sortedEntries, tableRows, writeSplit } from './tables.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const hasDask = spawnSync(PYTHON, ['-c', 'import dask.distributed'], { encoding: 'utf8' }).status === 0;
const required = process.env.REBALANCE_REQUIRE_PARITY === '1';
const describeDask = hasDask || required ? describe : describe.skip;

/** One driver run: its name, partition folder, method and seed (output: out-<name>). */
type Run = { name: string; input: string; method: string; seed: number; strategy?: string; plan?: string[] };

const SCRIPT = `
import json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, ${JSON.stringify(join(root, 'examples/dask'))})
import rebalance_dask
from dask.distributed import Client, LocalCluster
runs = json.load(sys.stdin)
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
client = Client(cluster)
out = {}
try:
    for r in runs:
        out[r["name"]] = rebalance_dask.run(r["input"], r["output"], r["method"], r.get("strategy"), r["seed"], client=client, plan_args=r.get("plan", []), knn_args=["--knn-backend", "cpu"])
finally:
    client.close()
    cluster.close()
print(json.dumps(out))
`;

let dir: string;
let whole: string;
let results: Record<string, { classes: { name: string; before: number; after: number }[]; route: string; partitionsOut: number }>;
const outDir = (name: string): string => join(dir, `out-${name}`);
let driverStderr = '';

async function single(method: string, args: string[]): Promise<Map<string, number>> {
  const out = join(dir, `single-${method}-${args.join('_')}.csv`);
  const r = await runCli(['resample', whole, '-m', method, '-o', out, '-q', '--knn-backend', 'cpu', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return rowMultiset([out]);
}

describeDask('Dask driver on a LocalCluster (2 worker processes, 8 partitions)', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('the Dask test runs bin/rebalance.js: build dist/ first (node scripts/build.mjs; npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'rebalance-dask-'));
    const rows = tableRows(2000, 5);
    whole = join(dir, 'all.csv');
    writeFileSync(whole, [HEADER, ...rows].join('\n') + '\n');
    const in8 = join(dir, 'in8');
    const in6 = join(dir, 'in6');
    for (const d of [in8, in6]) mkdirSync(d);
    writeSplit(in8, rows, [100, 333, 600, 800, 1111, 1500, 1750]);
    writeSplit(in6, rows, [420, 700, 1200, 1300, 1800]);
    const runs: (Run & { output: string })[] = [
      { name: 'under8', input: in8, method: 'random-under', seed: 3 },
      { name: 'under6', input: in6, method: 'random-under', seed: 3 },
      { name: 'over8', input: in8, method: 'random-over', seed: 4 },
      { name: 'over6', input: in6, method: 'random-over', seed: 4 },
      { name: 'smote8', input: in8, method: 'smote', seed: 9 },
      { name: 'tomek8', input: in8, method: 'tomek-links', seed: 42 },
      { name: 'enn8', input: in8, method: 'enn', seed: 42 },
      // Borderline-SMOTE's neighbours, the synthetic rows cleaned with the rest, ENN blocks.
      { name: 'smoteenn8', input: in8, method: 'smote-enn', seed: 9, plan: ['--first', 'borderline-smote'] },
      // ENN rounds until the state says done.
      { name: 'renn8', input: in8, method: 'renn', seed: 42 },
      // near-miss version 3: the minority kept by count --gather, score (with the partial shortlists), threshold.
      { name: 'nearmiss8', input: in8, method: 'near-miss', seed: 42, plan: ['--near-miss-version', '3'] },
      // A one-row shortlist per minority row: fewer rows than planned, and the notice saying so.
      { name: 'nearmiss8short', input: in8, method: 'near-miss', seed: 42, plan: ['--near-miss-version', '3', '--n-neighbors-ver3', '1'] },
    ].map((r) => ({ ...r, output: outDir(r.name) }));
    const p = spawnSync(PYTHON, ['-c', SCRIPT], { timeout: 14 * 60_000, input: JSON.stringify(runs), encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    if (p.status !== 0) throw new Error(`the Dask driver failed (${p.status}): ${p.stderr}`);
    results = JSON.parse(p.stdout);
    driverStderr = p.stderr;
  }, 15 * 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [a, b, method, seed] of [
    ['under8', 'under6', 'random-under', 3],
    ['over8', 'over6', 'random-over', 4],
  ] as const) {
    it(`${method}: exact global class counts; another split into 6 partitions gives the same rows`, async () => {
      const rowsA = rowMultiset(partFiles(outDir(a)));
      expect(partFiles(outDir(a))).toHaveLength(8);
      expect(labelCounts(rowsA)).toEqual(labelCounts(await single(method, ['--seed', String(seed)])));
      expect(Object.fromEntries(results[a].classes.map((c) => [c.name, c.after]))).toEqual(labelCounts(rowsA));
      expect(sortedEntries(rowsA)).toEqual(sortedEntries(rowMultiset(partFiles(outDir(b)))));
      expect(existsSync(join(outDir(a), 'plan.json')) && existsSync(join(outDir(a), 'summary.json'))).toBe(true);
    });
  }

  it('smote: the rows (synthetic ones in one more partition per worker: synth --slice) equal a single-machine resample (multiset, same seed)', async () => {
    expect(results.smote8.route).toBe('synthesize');
    // 8 input partitions + the synthetic rows in 2 slices, one per worker of the LocalCluster.
    expect(partFiles(outDir('smote8'))).toHaveLength(10);
    expect(results.smote8.partitionsOut).toBe(10);
    expect(sortedEntries(rowMultiset(partFiles(outDir('smote8'))))).toEqual(sortedEntries(await single('smote', ['--seed', '9'])));
  });

  it('smote-enn --first borderline-smote: the kept rows (synthetic ones in one more partition) equal a single-machine resample (multiset, same seed)', async () => {
    expect(results.smoteenn8.route).toBe('synthesize');
    expect(partFiles(outDir('smoteenn8'))).toHaveLength(9);
    expect(sortedEntries(rowMultiset(partFiles(outDir('smoteenn8'))))).toEqual(sortedEntries(await single('smote-enn', ['--seed', '9', '--first', 'borderline-smote'])));
  });

  it('near-miss --near-miss-version 3: keeps exactly the rows the single-machine run keeps', async () => {
    expect(results.nearmiss8.route).toBe('nearmiss');
    expect(partFiles(outDir('nearmiss8'))).toHaveLength(8);
    const d = rowMultiset(partFiles(outDir('nearmiss8')));
    expect(sortedEntries(d)).toEqual(sortedEntries(await single('near-miss', ['--near-miss-version', '3'])));
    expect(labelCounts(d).ok).toBeLessThan(1000);
  });

  it("near-miss version 3 with a short shortlist: the rows of one machine, and the driver prints one machine's notice once", async () => {
    const d = rowMultiset(partFiles(outDir('nearmiss8short')));
    const out = join(dir, 'single-nm-short.csv');
    const r = await runCli(['resample', whole, '-m', 'near-miss', '--near-miss-version', '3', '--n-neighbors-ver3', '1', '-o', out, '--knn-backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(sortedEntries(d)).toEqual(sortedEntries(rowMultiset([out])));
    const notices = r.stderr.split('\n').filter((l) => l.includes('near-miss: version 3 shortlisted'));
    expect(notices.length).toBeGreaterThan(0);
    for (const line of notices) expect(driverStderr.split('\n').filter((l) => l === line)).toHaveLength(1);
  });

  for (const [name, method] of [
    ['tomek8', 'tomek-links'],
    ['enn8', 'enn'],
    ['renn8', 'renn'],
  ] as const) {
    it(`${method}: removes exactly the rows the single-machine run removes`, async () => {
      const d = rowMultiset(partFiles(outDir(name)));
      expect(sortedEntries(d)).toEqual(sortedEntries(await single(method, [])));
      expect([...d.values()].reduce((x, y) => x + y, 0)).toBeLessThan(2000);
    });
  }
});
