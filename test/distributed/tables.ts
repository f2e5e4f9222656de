/**
 * Distributed tests' helpers: a generated imbalanced table (3 classes, integer and float columns)
 * split into partition files at chosen row cuts, the steps of the protocol run in-process the
 * way the Dask driver schedules them (examples/dask/rebalance_dask.py), and rows as multisets.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { createRng } from '../../src/core/rng.js';
import { runCli } from '../helpers/cli-in-process.js';

/** CSV text of `n` rows: a, b (floats), c (int 0-9), d (float), label (fraud ~8%, review ~20%, ok). */
export function tableRows(n: number, seed = 1): string[] {
  const rng = createRng(seed).fork('test/distributed');
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.nextFloat();
    const label = r < 0.08 ? 'fraud' : r < 0.8 ? 'ok' : 'review';
    const shift = label === 'fraud' ? 1.5 : label === 'review' ? 0.5 : 0;
    const f = (x: number): string => String(Math.round(x * 1e4) / 1e4);
    rows.push([f(rng.nextNormal() + shift), f(rng.nextNormal() - shift), String(rng.nextInt(10)), f(rng.nextFloat()), label].join(','));
  }
  return rows;
}

export const HEADER = 'a,b,c,d,label';

/** Writes the rows as one file and as partitions cut before the given row indices; returns the partition paths. */
export function writeSplit(dir: string, rows: readonly string[], cuts: readonly number[]): string[] {
  const files: string[] = [];
  const bounds = [0, ...cuts, rows.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const f = join(dir, `p${String(i).padStart(3, '0')}.csv`);
    writeFileSync(f, [HEADER, ...rows.slice(bounds[i], bounds[i + 1])].join('\n') + '\n');
    files.push(f);
  }
  return files;
}

async function cli(args: string[]): Promise<void> {
  const r = await runCli(['dist', ...args]);
  if (r.code !== 0) throw new Error(`rebalance dist ${args[0]} failed (${r.code}): ${r.stderr}`);
}

/**
 * The cleaning steps of the protocol over points files (the last one may hold the synthetic rows):
 * tomek-links in two broadcast rounds over two groups of partitions, the ENN family in partition x
 * partition blocks merged per query partition, renn / all-knn round after round. Returns the file
 * for select --removed.
 */
async function cleanSteps(points: readonly string[], plan: string, method: string, w: (name: string) => string): Promise<string> {
  const merged: string[] = [];
  if (method === 'tomek-links') {
    // Two groups of partitions per round, merged, as the driver does with two workers.
    const groups = [points.filter((_, j) => j % 2 === 0), points.filter((_, j) => j % 2 === 1)];
    for (const [round, ids] of [[1, []], [2, ['--ids', w('partners.json')]]] as const) {
      for (let g = 0; g < 2; g++) await cli(['knn', ...points, '--plan', plan, ...ids, '--against', ...groups[g], '-o', w(`k${round}-${g}.bin`), '--knn-backend', 'cpu']);
      await cli(['merge', w(`k${round}-0.bin`), w(`k${round}-1.bin`), '-o', w(`nn${round}.bin`)]);
      merged.push(w(`nn${round}.bin`));
      if (round === 1) await cli(['partners', w('nn1.bin'), '--plan', plan, '-o', w('partners.json')]);
    }
    await cli(['clean', ...merged, '--plan', plan, '-o', w('removed.json')]);
    return w('removed.json');
  }
  // ENN family: partition x partition blocks, each merged per query partition by the merge step.
  const ennRound = async (round: string[], tag: string): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < points.length; i++) {
      const blocks = points.map((_, j) => w(`k${tag}-${i}-${j}.bin`));
      for (let j = 0; j < points.length; j++) await cli(['knn', points[i], '--plan', plan, ...round, '--against', points[j], '-o', blocks[j], '--knn-backend', 'cpu']);
      await cli(['merge', ...blocks, '-o', w(`nn${tag}-${i}.bin`)]);
      out.push(w(`nn${tag}-${i}.bin`));
    }
    return out;
  };
  if (method === 'renn' || method === 'all-knn') {
    let state: string | null = null;
    for (let r = 1; ; r++) {
      const lists = await ennRound(state ? ['--round', state] : [], `r${r}`);
      const next = w(`round-${r}.json`);
      await cli(['clean', ...lists, '--plan', plan, '--round', ...(state ? [state] : []), '-o', next]);
      state = next;
      if ((JSON.parse(readFileSync(next, 'utf8')) as { done: boolean }).done) return next;
      if (r > 200) throw new Error('the rounds do not end');
    }
  }
  await cli(['clean', ...(await ennRound([], '')), '--plan', plan, '-o', w('removed.json')]);
  return w('removed.json');
}

/**
 * --scale: minmax as a map (each partition's min/max) and a reduce; standard as the chain over
 * the partitions in order, twice (sums, then squared deviations). Writes scaler.json.
 */
export async function scaleSteps(n: number, base: (i: number) => string[], scale: 'standard' | 'minmax', plan: string, w: (name: string) => string): Promise<void> {
  if (scale === 'minmax') {
    const files = Array.from({ length: n }, (_, i) => w(`mm${i}.json`));
    for (let i = 0; i < n; i++) await cli(['moments', ...base(i), '--scale', 'minmax', '-o', files[i]]);
    await cli(['scaler', ...files, '--plan', plan, '-o', w('scaler.json')]);
    return;
  }
  let carry: string | null = null;
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      const next = w(`chain-${pass}-${i}.json`);
      await cli(['moments', ...base(i), '--scale', 'standard', ...(carry ? ['--carry', carry] : []), '-o', next]);
      carry = next;
    }
  }
  await cli(['scaler', carry!, '--plan', plan, '-o', w('scaler.json')]);
}

/**
 * The protocol without an engine: every step of the driver, in-process, in the same order.
 * Returns the output partition files. `countGather`: count --gather (default: as the driver,
 * for smote, smoten and smote-nc on CSV), whose files synth reads when the plan says countGathered.
 */
export async function runLocal(parts: readonly string[], work: string, method: string, extra: { seed?: number; plan?: string[]; scale?: 'standard' | 'minmax'; countGather?: boolean } = {}): Promise<string[]> {
  const n = parts.length;
  const ext = parts[0].slice(parts[0].lastIndexOf('.'));
  const w = (name: string): string => join(work, name);
  const summaries = parts.map((_, i) => w(`s${i}.json`));
  // As the driver: SMOTE-type methods on CSV keep the small classes in the count pass.
  const counted = parts.map((_, i) => w(`cg${i}${ext}`));
  const gatherAtCount = extra.countGather ?? (ext === '.csv' && ['smote', 'smoten', 'smote-nc', 'near-miss'].includes(method));
  for (let i = 0; i < n; i++) await cli(['count', parts[i], '-o', summaries[i], ...(gatherAtCount ? ['--gather', counted[i]] : [])]);
  const plan = w('plan.json');
  await cli(['plan', ...summaries, '-m', method, '--seed', String(extra.seed ?? 42), '-o', plan, ...(extra.plan ?? [])]);
  const p = JSON.parse(readFileSync(plan, 'utf8')) as { route: string; clean?: { method: string }; neighbours?: { other?: unknown }; countGathered?: boolean };
  const base = (i: number): string[] => [parts[i], '--plan', plan, '--index', String(i)];
  const outputs = parts.map((_, i) => w(`out-${String(i).padStart(5, '0')}${ext}`));
  const points = parts.map((_, i) => w(`pt${i}.bin`));
  const pointSteps = async (): Promise<void> => {
    const scaler: string[] = [];
    if (extra.scale) {
      await scaleSteps(n, base, extra.scale, plan, w);
      scaler.push('--scaler', w('scaler.json'));
    }
    for (let i = 0; i < n; i++) await cli(['points', ...base(i), '-o', points[i], ...scaler]);
  };
  let selectExtra: string[] = [];
  if (p.route === 'random') {
    const ranks = parts.map((_, i) => w(`r${i}.json`));
    for (let i = 0; i < n; i++) await cli(['rank', ...base(i), '-o', ranks[i]]);
    await cli(['threshold', ...ranks, '--plan', plan, '-o', w('t.json')]);
    selectExtra = ['--thresholds', w('t.json')];
  } else if (p.route === 'synthesize') {
    const gathered = p.countGathered ? counted : parts.map((_, i) => w(`g${i}${ext}`));
    // borderline-2 gathers after its searches (the rows they name come along).
    const fetch = p.neighbours?.other !== undefined;
    if (!fetch && !p.countGathered) for (let i = 0; i < n; i++) await cli(['gather', ...base(i), '-o', gathered[i]]);
    const synthExtra: string[] = [];
    if (p.neighbours || p.clean) await pointSteps();
    if (p.neighbours) {
      // The grown classes' rows against two groups of partitions, merged.
      const groups = [points.filter((_, j) => j % 2 === 0), points.filter((_, j) => j % 2 === 1)].filter((g) => g.length > 0);
      const partial = groups.map((_, g) => w(`ks-${g}.bin`));
      for (let g = 0; g < groups.length; g++) await cli(['knn', ...points, '--plan', plan, '--against', ...groups[g], '-o', partial[g], '--knn-backend', 'cpu', ...(p.clean ? ['--synth'] : [])]);
      await cli(['merge', ...partial, '-o', w('nn-synth.bin')]);
      synthExtra.push('--neighbours', w('nn-synth.bin'));
      if (fetch) {
        // The danger rows against the rows outside their class, per group, merged; then the gather with those rows.
        const other = groups.map((_, g) => w(`ko-${g}.bin`));
        for (let g = 0; g < groups.length; g++) await cli(['knn', ...points, '--plan', plan, '--danger', w('nn-synth.bin'), '--against', ...groups[g], '-o', other[g], '--knn-backend', 'cpu']);
        await cli(['merge', ...other, '-o', w('nn-other.bin')]);
        for (let i = 0; i < n; i++) await cli(['gather', ...base(i), '--fetch', w('nn-other.bin'), '-o', gathered[i]]);
        synthExtra.push('--fetched', w('nn-other.bin'));
      }
    }
    outputs.push(w(`out-${String(n).padStart(5, '0')}${ext}`));
    const synthOut = p.clean ? w(`synthetic${ext}`) : outputs[n];
    if (p.clean) synthExtra.push('--points', w('pt-synth.bin'));
    if (extra.scale) synthExtra.push('--scale', extra.scale, '--scaler', w('scaler.json'));
    await cli(['synth', ...gathered, '--plan', plan, '-o', synthOut, '--knn-backend', 'cpu', ...synthExtra]);
    if (p.clean) {
      const removed = await cleanSteps([...points, w('pt-synth.bin')], plan, p.clean.method, w);
      selectExtra = ['--removed', removed];
      await cli(['select', synthOut, '--plan', plan, '--index', String(n), '-o', outputs[n], ...selectExtra]);
    }
  } else if (p.route === 'nearmiss') {
    // The minority rows gathered (or kept by count --gather), every partition scored against them.
    const gathered = p.countGathered ? counted : parts.map((_, i) => w(`g${i}${ext}`));
    if (!p.countGathered) for (let i = 0; i < n; i++) await cli(['gather', ...base(i), '-o', gathered[i]]);
    const scores = parts.map((_, i) => w(`sc${i}.json`));
    for (let i = 0; i < n; i++) await cli(['score', ...base(i), '--minority', ...gathered, '-o', scores[i], '--knn-backend', 'cpu']);
    await cli(['threshold', ...scores, '--plan', plan, '-o', w('chosen.json')]);
    selectExtra = ['--thresholds', w('chosen.json')];
  } else {
    await pointSteps();
    selectExtra = ['--removed', await cleanSteps(points, plan, p.clean!.method, w)];
  }
  for (let i = 0; i < n; i++) await cli(['select', ...base(i), '-o', outputs[i], ...selectExtra]);
  return outputs;
}

/** Data rows of CSV files (header dropped) as a multiset: line -> count. */
export function rowMultiset(files: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of files) {
    const lines = readFileSync(f, 'utf8').split('\n').slice(1).filter((l) => l.length > 0);
    for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  }
  return m;
}

/** The multiset as sorted [row, count] pairs (for toEqual with readable diffs). */
export function sortedEntries(m: Map<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Rows per label (last column) of a multiset. */
export function labelCounts(m: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [row, n] of m) {
    const label = row.slice(row.lastIndexOf(',') + 1);
    out[label] = (out[label] ?? 0) + n;
  }
  return out;
}

export function partFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .sort()
    .map((f) => join(dir, f));
}

/** Rows of Arrow IPC files as a multiset of their JSON cells (bigints as text). */
export function arrowRowMultiset(files: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of files) {
    const t = tableFromIPC(readFileSync(f));
    for (const row of t) {
      const key = JSON.stringify(Object.values(row.toJSON()), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      m.set(key, (m.get(key) ?? 0) + 1);
    }
  }
  return m;
}

/** Writes CSV rows (HEADER columns) as Arrow IPC partition files cut before the given rows. */
export function writeArrowSplit(dir: string, rows: readonly string[], cuts: readonly number[]): string[] {
  const files: string[] = [];
  const bounds = [0, ...cuts, rows.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const cells = rows.slice(bounds[i], bounds[i + 1]).map((r) => r.split(','));
    const t = tableFromArrays({
      a: Float64Array.from(cells, (c) => Number(c[0])),
      b: Float64Array.from(cells, (c) => Number(c[1])),
      c: Int32Array.from(cells, (c) => Number(c[2])),
      d: Float32Array.from(cells, (c) => Number(c[3])),
      label: cells.map((c) => c[4]),
    });
    const f = join(dir, `p${String(i).padStart(3, '0')}.arrow`);
    writeFileSync(f, tableToIPC(t, 'file'));
    files.push(f);
  }
  return files;
}
