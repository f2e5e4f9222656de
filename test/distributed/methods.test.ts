/**
 * The distributed methods beyond SMOTE / Tomek / ENN (issue #16): Borderline-SMOTE and ADASYN
 * (their m nearest rows of the whole table from the distributed kNN), smote-tomek / smote-enn
 * (the synthetic rows one more partition of the cleaning), NCR and the ENN rounds of RENN /
 * AllKNN, each equal (multiset of rows) to a single-machine `resample` of the concatenated table.
 * No engine: every `rebalance dist` step in-process, as the Dask driver orders them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-in-process.js';
import { HEADER, labelCounts, rowMultiset, runLocal, sortedEntries, tableRows, writeSplit } from './tables.js';

const N = 1000;
let dir: string;
let rows: string[];
let whole: string;
let split: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rebalance-dist-m-'));
  rows = tableRows(N, 4);
  whole = join(dir, 'all.csv');
  writeFileSync(whole, [HEADER, ...rows].join('\n') + '\n');
  split = writeSplit(mkdtempSync(join(dir, 'p-')), rows, [120, 390, 640, 777]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function single(method: string, args: readonly string[]): Promise<Map<string, number>> {
  const out = join(mkdtempSync(join(dir, 'single-')), 'out.csv');
  const r = await runCli(['resample', whole, '-m', method, '-o', out, '-q', '--knn-backend', 'cpu', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return rowMultiset([out]);
}

async function local(method: string, plan: readonly string[], seed: number): Promise<Map<string, number>> {
  return rowMultiset(await runLocal(split, mkdtempSync(join(dir, `w-${method}-`)), method, { seed, plan: [...plan] }));
}

const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

describe('distributed over-samplers that look at every class (no engine)', () => {
  for (const [method, args] of [
    ['borderline-smote', []],
    ['borderline-smote', ['--m-neighbors', '6', '--k-neighbors', '3', '--strategy', 'minority']],
    ['borderline-smote', ['--variant', 'borderline-2']],
    ['borderline-smote', ['--variant', '2', '--m-neighbors', '6', '--k-neighbors', '3', '--strategy', 'not majority']],
    ['adasyn', []],
    ['adasyn', ['--k-neighbors', '4']],
  ] as const) {
    it(`${method} ${args.join(' ')}: the synthetic rows equal a single-machine run (multiset, same seed)`, async () => {
      const d = await local(method, args, 11);
      const s = await single(method, ['--seed', '11', ...args]);
      expect(sortedEntries(d)).toEqual(sortedEntries(s));
      expect(total(d)).toBeGreaterThan(N);
    });
  }
});

describe('distributed smote-tomek / smote-enn (no engine)', () => {
  for (const [method, args] of [
    ['smote-tomek', []],
    ['smote-enn', []],
    ['smote-enn', ['--first', 'adasyn', '--n-neighbors', '4']],
    ['smote-tomek', ['--first', 'borderline-smote']],
    ['smote-enn', ['--first', 'borderline-smote', '--variant', 'borderline-2']],
  ] as const) {
    it(`${method} ${args.join(' ')}: the kept original and synthetic rows equal a single-machine run (multiset)`, async () => {
      const d = await local(method, args, 5);
      const s = await single(method, ['--seed', '5', ...args]);
      expect(sortedEntries(d)).toEqual(sortedEntries(s));
      // Something was generated and something removed (so the equality says something).
      const before = labelCounts(rowMultiset([whole]));
      const after = labelCounts(d);
      expect(after.fraud).toBeGreaterThan(before.fraud);
      expect(after.ok).toBeLessThan(before.ok);
    });
  }
});

describe('distributed NCR, RENN and AllKNN (no engine)', () => {
  for (const [method, args] of [
    ['neighbourhood-cleaning-rule', []],
    ['neighbourhood-cleaning-rule', ['--variant', 'mode', '--n-neighbors', '5']],
    ['renn', []],
    ['renn', ['--variant', 'mode', '--max-iter', '2']],
    ['renn', ['--strategy', 'all']],
    ['all-knn', []],
    ['all-knn', ['--allow-minority', '--n-neighbors', '4']],
  ] as const) {
    it(`${method} ${args.join(' ')}: removes exactly the rows the single-machine run removes`, async () => {
      const d = await local(method, args, 1);
      const s = await single(method, [...args]);
      expect(sortedEntries(d)).toEqual(sortedEntries(s));
      expect(total(d)).toBeLessThan(N);
    });
  }
});

describe('distributed cleaning, borderline-smote and adasyn with --scale (no engine)', () => {
  for (const [method, scale, args] of [
    ['tomek-links', 'standard', []],
    ['enn', 'minmax', []],
    ['renn', 'standard', []],
    ['neighbourhood-cleaning-rule', 'minmax', []],
    ['borderline-smote', 'standard', []],
    ['borderline-smote', 'minmax', ['--variant', 'borderline-2']],
    ['adasyn', 'minmax', []],
  ] as const) {
    it(`${method} --scale ${scale}: the same rows as a single-machine run with --scale ${scale}, and not those of the unscaled run`, async () => {
      const d = rowMultiset(await runLocal(split, mkdtempSync(join(dir, `ws-${method}-`)), method, { plan: [...args], scale, seed: 2 }));
      const s = await single(method, ['--scale', scale, '--seed', '2', ...args]);
      expect(sortedEntries(d)).toEqual(sortedEntries(s));
      expect(sortedEntries(d)).not.toEqual(sortedEntries(await single(method, ['--seed', '2', ...args])));
    });
  }
});

describe('distributed refusals', () => {
  it('svm-smote, smote-tomek --first svm-smote and a borderline-2 with too few rows outside a grown class are refused at the plan with one line that says why', async () => {
    const s0 = join(dir, 'r0.json');
    expect((await runCli(['dist', 'count', split[0], '-o', s0])).code).toBe(0);
    for (const [args, why] of [
      [['-m', 'svm-smote'], /svm-smote cannot run distributed exactly: its SVM trains on every row/],
      [['-m', 'smote-tomek', '--first', 'svm-smote'], /svm-smote cannot run distributed exactly/],
      [['-m', 'borderline-smote', '--variant', 'borderline-2', '--strategy', 'fraud=200', '--k-neighbors', '200'], /borderline-2 needs 200 rows outside class 'fraud', the table has \d+; use --k-neighbors \d+ or fewer/],
      [['-m', 'smote-enn', '--first', 'kmeans-smote'], /--first kmeans-smote has no distributed protocol/],
    ] as const) {
      const r = await runCli(['dist', 'plan', s0, ...args, '-o', join(dir, 'rp.json')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(why);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('borderline-2: synth without --fetched, or with gathered files that lack the fetched rows, is an error naming the fix', async () => {
    const work = mkdtempSync(join(dir, 'b2-'));
    const w = (n: string): string => join(work, n);
    await runLocal(split, work, 'borderline-smote', { seed: 3, plan: ['--variant', 'borderline-2'] });
    const gathered = split.map((_, i) => w(`g${i}.csv`));
    // The gathered files of the run hold the fetched rows too (classes the plan does not grow).
    expect(labelCounts(rowMultiset(gathered)).ok).toBeGreaterThan(0);
    const base = ['dist', 'synth', ...gathered, '--plan', w('plan.json'), '-o', w('syn.csv'), '--neighbours', w('nn-synth.bin'), '--knn-backend', 'cpu'];
    const missing = await runCli(base);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/borderline-2 .* pass --fetched with the merged lists of knn --danger/);
    const plain = split.map((_, i) => w(`plain${i}.csv`));
    for (let i = 0; i < split.length; i++) expect((await runCli(['dist', 'gather', split[i], '--plan', w('plan.json'), '--index', String(i), '-o', plain[i]])).code).toBe(0);
    const stale = await runCli(['dist', 'synth', ...plain, ...base.slice(2 + gathered.length), '--fetched', w('nn-other.bin')]);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/the gathered files hold 0 rows outside the grown classes, --fetched names \d+; pass the files of gather --fetch/);
    const wrongLists = await runCli([...base, '--fetched', w('nn-synth.bin')]);
    expect(wrongLists.code).toBe(3);
    expect(wrongLists.stderr).toMatch(/--fetched does not answer the danger rows/);
  });

  it('renn without --round, a round that is not done passed to select, and synth without --neighbours are errors naming the fix', async () => {
    const work = mkdtempSync(join(dir, 'e-'));
    const w = (n: string): string => join(work, n);
    const sums = split.map((_, i) => w(`s${i}.json`));
    for (let i = 0; i < split.length; i++) expect((await runCli(['dist', 'count', split[i], '-o', sums[i]])).code).toBe(0);
    expect((await runCli(['dist', 'plan', ...sums, '-m', 'renn', '-o', w('renn.json')])).code).toBe(0);
    const pts = split.map((_, i) => w(`pt${i}.bin`));
    for (let i = 0; i < split.length; i++) expect((await runCli(['dist', 'points', split[i], '--plan', w('renn.json'), '--index', String(i), '-o', pts[i]])).code).toBe(0);
    expect((await runCli(['dist', 'knn', ...pts, '--plan', w('renn.json'), '--against', ...pts, '-o', w('nn.bin'), '--knn-backend', 'cpu'])).code).toBe(0);
    const noRound = await runCli(['dist', 'clean', w('nn.bin'), '--plan', w('renn.json'), '-o', w('x.json')]);
    expect(noRound.code).toBe(3);
    expect(noRound.stderr).toMatch(/cleans in rounds; run the clean step with --round/);
    expect((await runCli(['dist', 'clean', w('nn.bin'), '--plan', w('renn.json'), '--round', '-o', w('r1.json')])).code).toBe(0);
    const r1 = JSON.parse(readFileSync(w('r1.json'), 'utf8')) as { done: boolean; removed: number[]; round: number };
    expect(r1.round).toBe(1);
    expect(r1.removed.length).toBeGreaterThan(0);
    if (!r1.done) {
      const sel = await runCli(['dist', 'select', split[0], '--plan', w('renn.json'), '--index', '0', '--removed', w('r1.json'), '-o', w('o.csv')]);
      expect(sel.code).toBe(3);
      expect(sel.stderr).toMatch(/not the last .*run knn --round and clean --round until done/);
    }
    expect((await runCli(['dist', 'plan', ...sums, '-m', 'adasyn', '-o', w('ada.json')])).code).toBe(0);
    const g = split.map((_, i) => w(`g${i}.csv`));
    for (let i = 0; i < split.length; i++) expect((await runCli(['dist', 'gather', split[i], '--plan', w('ada.json'), '--index', String(i), '-o', g[i]])).code).toBe(0);
    const synth = await runCli(['dist', 'synth', ...g, '--plan', w('ada.json'), '-o', w('syn.csv')]);
    expect(synth.code).toBe(2);
    expect(synth.stderr).toMatch(/adasyn needs the neighbours of the gathered rows.*--neighbours/);
    // --scale: adasyn's synth needs the whole table's scaler; smote-tomek's would cover the synthetic rows too.
    const scaled = await runCli(['dist', 'synth', ...g, '--plan', w('ada.json'), '-o', w('syn.csv'), '--scale', 'standard']);
    expect(scaled.code).toBe(2);
    expect(scaled.stderr).toMatch(/--scale standard with adasyn: pass --scaler, the whole table's scaler/);
    expect((await runCli(['dist', 'plan', ...sums, '-m', 'smote-tomek', '-o', w('st.json')])).code).toBe(0);
    const moments = await runCli(['dist', 'moments', split[0], '--plan', w('st.json'), '--index', '0', '--scale', 'minmax', '-o', w('m.json')]);
    expect(moments.code).toBe(2);
    expect(moments.stderr).toMatch(/--scale is supported by the distributed cleaning methods, borderline-smote and adasyn only, not smote-tomek/);
  });
});
