/**
 * The distributed protocol without an engine: partitions as files, every `rebalance dist` step
 * run in-process in the order the Dask driver runs them. Bars (issue #16): exact global counts,
 * the same output rows (as a multiset) however the ordered rows are split, SMOTE's synthetic rows
 * and the rows Tomek links / ENN remove identical to a single-machine `resample` of the table.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-in-process.js';
import { HEADER, arrowRowMultiset, labelCounts, rowMultiset, runLocal, sortedEntries, tableRows, writeArrowSplit, writeSplit } from './tables.js';

const N = 2400;
let dir: string;
let rows: string[];
let whole: string;
let split8: string[];
let split5: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rebalance-dist-'));
  rows = tableRows(N);
  whole = join(dir, 'all.csv');
  writeFileSync(whole, [HEADER, ...rows].join('\n') + '\n');
  const d8 = mkdtempSync(join(dir, 'p8-'));
  const d5 = mkdtempSync(join(dir, 'p5-'));
  split8 = writeSplit(d8, rows, [150, 400, 700, 1000, 1234, 1600, 2000]);
  split5 = writeSplit(d5, rows, [333, 1111, 1500, 2222]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function single(method: string, args: string[] = []): Promise<Map<string, number>> {
  const out = join(mkdtempSync(join(dir, 'single-')), 'out.csv');
  const r = await runCli(['resample', whole, '-m', method, '-o', out, '-q', '--knn-backend', 'cpu', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return rowMultiset([out]);
}

async function local(parts: string[], method: string, extra: { seed?: number; plan?: string[] } = {}): Promise<Map<string, number>> {
  return rowMultiset(await runLocal(parts, mkdtempSync(join(dir, `w-${method}-`)), method, extra));
}

describe('distributed random samplers (no engine)', () => {
  for (const [method, plan] of [
    ['random-under', []],
    ['random-over', []],
    ['random-over', ['--strategy', 'fraud=500']],
    ['random-under', ['--strategy', 'majority']],
    // Keeps most of 'ok': the threshold comes from the largest keys (the rank step's other side).
    ['random-under', ['--strategy', 'ok=1500']],
  ] as const) {
    it(`${method} ${plan.join(' ')}: exact global counts, and the same rows from another split`, async () => {
      const a = await local(split8, method, { seed: 7, plan: [...plan] });
      const b = await local(split5, method, { seed: 7, plan: [...plan] });
      // The counts a single-machine run of the same method and strategy gives.
      expect(labelCounts(a)).toEqual(labelCounts(await single(method, ['--seed', '7', ...plan])));
      expect(sortedEntries(a)).toEqual(sortedEntries(b));
      // A selection, not all rows (so the equality above says something), and seeded.
      const c = await local(split8, method, { seed: 8, plan: [...plan] });
      expect(sortedEntries(c)).not.toEqual(sortedEntries(a));
    });
  }

  it('random-under keeps every class a uniform sample: each row of the majority is kept about as often over seeds', async () => {
    // 8 seeds x keep-rate of the ok class in the first vs second half of the rows: no positional bias.
    const small = tableRows(400, 3);
    const parts = writeSplit(mkdtempSync(join(dir, 'u-')), small, [50, 120, 200, 260, 300, 333, 370]);
    let first = 0;
    let second = 0;
    const okIndex = small.map((r, i) => (r.endsWith(',ok') ? i : -1)).filter((i) => i >= 0);
    const half = new Set(okIndex.slice(0, okIndex.length >> 1).map((i) => small[i]));
    for (let seed = 0; seed < 8; seed++) {
      const m = await local(parts, 'random-under', { seed });
      for (const [row, n] of m) if (row.endsWith(',ok')) (half.has(row) ? (first += n) : (second += n));
    }
    const total = first + second;
    expect(Math.abs(first / total - 0.5)).toBeLessThan(0.1);
  });
});

describe('distributed SMOTE (no engine)', () => {
  it('smote: the synthetic rows equal a single-machine resample of the concatenated table (multiset)', async () => {
    const d = await local(split8, 'smote', { seed: 11 });
    const s = await single('smote', ['--seed', '11']);
    expect(sortedEntries(d)).toEqual(sortedEntries(s));
    expect(labelCounts(d)).toEqual(labelCounts(s));
  });

  it('synth --slice i/n: the slices, in order, are the unsliced synthetic partition line for line (n parallel synth tasks)', async () => {
    const work = mkdtempSync(join(dir, 'w-slice-'));
    await runLocal(split8, work, 'smote', { seed: 11 });
    // The count pass gathered (count --gather; the plan says countGathered): synth reads those files.
    expect(JSON.parse(readFileSync(join(work, 'plan.json'), 'utf8')).countGathered).toBe(true);
    const gathered = split8.map((_, i) => join(work, `cg${i}.csv`));
    const plan = join(work, 'plan.json');
    const whole = readFileSync(join(work, 'out-00008.csv'), 'utf8').trimEnd().split('\n');
    const body: string[] = [];
    for (let j = 0; j < 3; j++) {
      const out = join(work, `slice-${j}.csv`);
      const r = await runCli(['dist', 'synth', ...gathered, '--plan', plan, '-o', out, '--knn-backend', 'cpu', '--slice', `${j}/3`]);
      expect(r.code, r.stderr).toBe(0);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe(whole[0]);
      body.push(...lines.slice(1));
    }
    expect(whole.length).toBeGreaterThan(100);
    expect(body).toEqual(whole.slice(1));
    for (const bad of ['3/3', '1', '-1/2', '0/0']) {
      const r = await runCli(['dist', 'synth', ...gathered, '--plan', plan, '-o', join(work, 'bad.csv'), '--slice', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--slice takes i/n');
    }
  });

  it('smote with an integer column that is float in other partitions: the widened kind as on one machine', async () => {
    // Column d holds whole numbers in the grown classes (the gathered rows) but not in 'ok': the
    // table's column is float (no rounding of synthetic values), as one machine reads it.
    const r2 = rows.slice(0, 800).map((r, i) => (r.endsWith(',ok') ? r : r.replace(/,[0-9.]+,(\w+)$/, `,${i % 3},$1`)));
    writeFileSync(whole.replace('all.csv', 'all2.csv'), [HEADER, ...r2].join('\n') + '\n');
    const parts = writeSplit(mkdtempSync(join(dir, 'w2-')), r2, [100, 300, 500]);
    const d = await local(parts, 'smote', { seed: 5 });
    const out = join(mkdtempSync(join(dir, 'single-')), 'o.csv');
    const r = await runCli(['resample', whole.replace('all.csv', 'all2.csv'), '-m', 'smote', '--seed', '5', '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(sortedEntries(d)).toEqual(sortedEntries(rowMultiset([out])));
  });
});

describe('Arrow partitions (no engine)', () => {
  it('Float32 and Int32 columns: smote and enn equal single-machine runs on the concatenated Arrow table; random-under gives the same rows from another split', async () => {
    const small = rows.slice(0, 1200);
    const d4 = writeArrowSplit(mkdtempSync(join(dir, 'a4-')), small, [200, 500, 900]);
    const d3 = writeArrowSplit(mkdtempSync(join(dir, 'a3-')), small, [450, 1000]);
    const all = writeArrowSplit(mkdtempSync(join(dir, 'a1-')), small, [])[0];
    for (const method of ['smote', 'enn']) {
      const out = join(mkdtempSync(join(dir, 'as-')), 'o.arrow');
      const r = await runCli(['resample', all, '-m', method, '--seed', '3', '-o', out, '-q', '--knn-backend', 'cpu']);
      expect(r.code, r.stderr).toBe(0);
      const d = arrowRowMultiset(await runLocal(d4, mkdtempSync(join(dir, 'aw-')), method, { seed: 3 }));
      expect(sortedEntries(d)).toEqual(sortedEntries(arrowRowMultiset([out])));
    }
    const u4 = arrowRowMultiset(await runLocal(d4, mkdtempSync(join(dir, 'aw-')), 'random-under', { seed: 3 }));
    const u3 = arrowRowMultiset(await runLocal(d3, mkdtempSync(join(dir, 'aw-')), 'random-under', { seed: 3 }));
    expect(sortedEntries(u4)).toEqual(sortedEntries(u3));
    expect([...u4.values()].reduce((x, y) => x + y, 0)).toBeLessThan(small.length / 2);
  });
});

describe('distributed cleaning (no engine)', () => {
  for (const [method, args] of [
    ['tomek-links', []],
    ['tomek-links', ['--strategy', 'all']],
    ['enn', []],
    ['enn', ['--variant', 'mode', '--n-neighbors', '4']],
  ] as const) {
    it(`${method} ${args.join(' ')}: removes exactly the rows the single-machine run removes`, async () => {
      const d = await local(split8, method, { plan: [...args] });
      const s = await single(method, [...args]);
      expect(sortedEntries(d)).toEqual(sortedEntries(s));
      expect([...d.values()].reduce((a, b) => a + b, 0)).toBeLessThan(N);
    });
  }
});

describe('dist step errors', () => {
  it('a method without a protocol, a wrong --index and a partition the plan did not count are usage/data errors naming the fix', async () => {
    const s0 = join(dir, 'e0.json');
    expect((await runCli(['dist', 'count', split8[0], '-o', s0])).code).toBe(0);
    const s1 = join(dir, 'e1.json');
    expect((await runCli(['dist', 'count', split8[1], '-o', s1])).code).toBe(0);
    const bad = await runCli(['dist', 'plan', s0, s1, '-m', 'cluster-centroids', '-o', join(dir, 'e.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cluster-centroids.*no distributed protocol.*near-miss.*resample/);
    const plan = join(dir, 'eplan.json');
    expect((await runCli(['dist', 'plan', s0, s1, '-m', 'smote', '-o', plan])).code).toBe(0);
    const idx = await runCli(['dist', 'gather', split8[0], '--plan', plan, '--index', '5', '-o', join(dir, 'g.csv')]);
    expect(idx.code).toBe(2);
    expect(idx.stderr).toMatch(/--index 5 is out of range/);
    const wrong = await runCli(['dist', 'gather', split8[2], '--plan', plan, '--index', '0', '-o', join(dir, 'g.csv')]);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/partition 0 of the plan/);
    expect(JSON.parse(readFileSync(plan, 'utf8')).route).toBe('synthesize');
    const under = join(dir, 'eunder.json');
    expect((await runCli(['dist', 'plan', s0, s1, '-m', 'random-under', '-o', under])).code).toBe(0);
    const gather = await runCli(['dist', 'select', split8[0], '--plan', under, '--index', '0', '--gather', join(dir, 'g2.csv'), '-o', join(dir, 'o.csv')]);
    expect(gather.code).toBe(2);
    expect(gather.stderr).toMatch(/--gather is for the synthesize route/);
    const tomek = join(dir, 'etomek.json');
    expect((await runCli(['dist', 'plan', s0, s1, '-m', 'tomek-links', '-o', tomek])).code).toBe(0);
    const pts = join(dir, 'e.bin');
    expect((await runCli(['dist', 'points', split8[0], '--plan', tomek, '--index', '0', '-o', pts])).code).toBe(0);
    const scaled = await runCli(['dist', 'knn', pts, '--plan', tomek, '--against', pts, '--scale', 'standard', '-o', join(dir, 'k.bin')]);
    expect(scaled.code).toBe(2);
    expect(scaled.stderr).toMatch(/--scale standard does not go to the knn step/);
  });
});
