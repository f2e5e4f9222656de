/**
 * The distributed near-miss (issue #16, the nearmiss route): versions 1, 2 and 3 on 8 and on 5
 * partitions give the rows of a single-machine `resample -m near-miss` of the concatenated table
 * (multiset), ties between equal scores in other partitions included. No engine: every
 * `rebalance dist` step in-process, as the Dask driver orders them (tables.ts runLocal).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-in-process.js';
import { HEADER, labelCounts, rowMultiset, runLocal, sortedEntries, tableRows, writeSplit } from './tables.js';

const N = 1200;
let dir: string;
let whole: string;
let split8: string[];
let split5: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rebalance-dist-nm-'));
  const rows = tableRows(N, 9);
  whole = join(dir, 'all.csv');
  writeFileSync(whole, [HEADER, ...rows].join('\n') + '\n');
  split8 = writeSplit(mkdtempSync(join(dir, 'p8-')), rows, [100, 260, 431, 600, 777, 901, 1050]);
  split5 = writeSplit(mkdtempSync(join(dir, 'p5-')), rows, [333, 500, 812, 1100]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function single(file: string, args: readonly string[]): Promise<{ rows: Map<string, number>; stderr: string }> {
  const out = join(mkdtempSync(join(dir, 'single-')), 'out.csv');
  const r = await runCli(['resample', file, '-m', 'near-miss', '-o', out, '--knn-backend', 'cpu', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return { rows: rowMultiset([out]), stderr: r.stderr };
}

/** countGather false: the gather step; else (CSV) count --gather keeps the minority rows in the count pass. */
async function local(parts: readonly string[], args: readonly string[], countGather?: boolean): Promise<Map<string, number>> {
  const work = mkdtempSync(join(dir, 'w-'));
  const out = rowMultiset(await runLocal(parts, work, 'near-miss', { plan: [...args], countGather }));
  expect((JSON.parse(readFileSync(join(work, 'plan.json'), 'utf8')) as { countGathered?: boolean }).countGathered).toBe(countGather === false ? undefined : true);
  return out;
}

describe('distributed near-miss (no engine)', () => {
  for (const args of [
    ['--near-miss-version', '1'],
    ['--near-miss-version', '1', '--n-neighbors', '5', '--strategy', 'all'],
    ['--near-miss-version', '1', '--strategy', 'ok=700'],
    ['--near-miss-version', '2'],
    ['--near-miss-version', '2', '--strategy', 'ok=500,review=200'],
    ['--near-miss-version', '3'],
    ['--near-miss-version', '3', '--n-neighbors-ver3', '6', '--n-neighbors', '2', '--strategy', 'all'],
  ] as const) {
    it(`${args.join(' ')}: 8 and 5 partitions keep the rows a single-machine run keeps (multiset)`, async () => {
      const s = (await single(whole, args)).rows;
      const before = labelCounts(rowMultiset([whole]));
      const after = labelCounts(s);
      expect(after.ok).toBeLessThan(before.ok);
      expect(sortedEntries(await local(split8, args))).toEqual(sortedEntries(s));
      expect(sortedEntries(await local(split5, args, false))).toEqual(sortedEntries(s));
    });
  }
});

/**
 * Equal scores in several partitions: the minority rows sit at the origin, the majority rows on
 * circles around it (integer points at distance 5, 10, 13 and 15: equal float64 distances), in
 * an order that spreads each circle over the partitions. The single machine keeps equal sums in
 * row order; the partitions must pick the same rows (the lower global ids), on the best side
 * (versions 1 and 3) and the worst side (more rows kept than dropped).
 */
describe('distributed near-miss: ties across partitions', () => {
  let tieWhole: string;
  let tieParts: string[];
  beforeAll(() => {
    const circle = (r: number, base: [number, number][]): [number, number][] => {
      const out: [number, number][] = [];
      for (const [a, b] of base) for (const [x, y] of [[a, b], [b, a], [-a, b], [-b, a], [a, -b], [b, -a], [-a, -b], [-b, -a]]) out.push([x * r, y * r]);
      return [...new Map(out.map((p) => [p.join(','), p])).values()];
    };
    const rings = [...circle(1, [[3, 4], [5, 0]]), ...circle(2, [[3, 4], [5, 0]]), ...circle(1, [[5, 12], [13, 0]]), ...circle(3, [[3, 4], [5, 0]])];
    // Interleave the rings (every 7th point) so each ring's points fall in several partitions.
    const order = rings.map((_, i) => (i * 7) % rings.length);
    expect(new Set(order).size).toBe(rings.length);
    const rows = order.map((i) => `${rings[i][0]},${rings[i][1]},maj`);
    for (const at of [3, 17, 30, 44]) rows.splice(at, 0, '0,0,min');
    tieWhole = join(dir, 'ties.csv');
    writeFileSync(tieWhole, ['x,y,label', ...rows].join('\n') + '\n');
    const pd = mkdtempSync(join(dir, 'pt-'));
    const cuts = [0, 7, 15, 22, 31, 40, 47, rows.length];
    tieParts = cuts.slice(0, -1).map((a, i) => {
      const f = join(pd, `p${i}.csv`);
      writeFileSync(f, ['x,y,label', ...rows.slice(a, cuts[i + 1])].join('\n') + '\n');
      return f;
    });
  });

  for (const args of [
    ['--near-miss-version', '1'],
    ['--near-miss-version', '1', '--strategy', 'maj=40'],
    ['--near-miss-version', '2', '--strategy', 'maj=9'],
    ['--near-miss-version', '3', '--n-neighbors-ver3', '7'],
  ] as const) {
    it(`${args.join(' ')}: equal sums keep the lower global ids, as on one machine`, async () => {
      const s = (await single(tieWhole, args)).rows;
      const d = await local(tieParts, args);
      expect(sortedEntries(d)).toEqual(sortedEntries(s));
      // Ties decided it: some kept and some dropped rows of the majority lie on one circle.
      const kept = [...s.keys()].filter((r) => r.endsWith(',maj'));
      const radii = new Set(kept.map((r) => Math.hypot(...r.split(',').slice(0, 2).map(Number))));
      expect(kept.length).toBeGreaterThan(0);
      expect([...radii].some((rad) => kept.filter((r) => Math.hypot(...r.split(',').slice(0, 2).map(Number)) === rad).length % 8 !== 0)).toBe(true);
    });
  }

  it('a partition whose largest class is the minority: count --gather did not keep it there, so the plan gathers (no countGathered) and the rows still match', async () => {
    const rows = readFileSync(tieWhole, 'utf8').trim().split('\n').slice(1);
    expect(rows[3]).toBe('0,0,min');
    const pd = mkdtempSync(join(dir, 'pm-'));
    const cuts = [0, 3, 4, 20, rows.length];
    const parts = cuts.slice(0, -1).map((a, i) => {
      const f = join(pd, `p${i}.csv`);
      writeFileSync(f, ['x,y,label', ...rows.slice(a, cuts[i + 1])].join('\n') + '\n');
      return f;
    });
    const work = mkdtempSync(join(dir, 'wm-'));
    const d = rowMultiset(await runLocal(parts, work, 'near-miss', { plan: ['--near-miss-version', '1'] }));
    expect((JSON.parse(readFileSync(join(work, 'plan.json'), 'utf8')) as { countGathered?: boolean }).countGathered).toBeUndefined();
    expect(sortedEntries(d)).toEqual(sortedEntries((await single(tieWhole, ['--near-miss-version', '1'])).rows));
  });

  it('version 3 shortlisting fewer rows than planned keeps them all, with the single machine notice', async () => {
    const args = ['--near-miss-version', '3'];
    const s = await single(tieWhole, args);
    const work = mkdtempSync(join(dir, 'w3-'));
    const d = rowMultiset(await runLocal(tieParts, work, 'near-miss', { plan: args }));
    expect(sortedEntries(d)).toEqual(sortedEntries(s.rows));
    expect(labelCounts(d).maj).toBe(3);
    const notice = s.stderr.split('\n').find((l) => l.includes('shortlisted'));
    expect(notice).toMatch(/version 3 shortlisted 3 rows of class 'maj', fewer than the 4 planned/);
    const scores = tieParts.map((_, i) => join(work, `sc${i}.json`));
    const r = await runCli(['dist', 'threshold', ...scores, '--plan', join(work, 'plan.json'), '-o', join(work, 'again.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe(notice!.trim());
  });
});

describe('distributed near-miss: errors as on one machine', () => {
  it('--n-neighbors above the minority size and --n-neighbors-ver3 above a class size fail at the plan with the single machine message', async () => {
    const sums = split5.map((_, i) => join(dir, `e${i}.json`));
    for (let i = 0; i < split5.length; i++) expect((await runCli(['dist', 'count', split5[i], '-o', sums[i]])).code).toBe(0);
    for (const args of [
      ['--n-neighbors', '500'],
      ['--near-miss-version', '3', '--n-neighbors-ver3', '1000'],
      ['--near-miss-version', '2', '--n-neighbors', '999'],
    ]) {
      const one = await runCli(['resample', whole, '-m', 'near-miss', '-o', join(dir, 'x.csv'), '--knn-backend', 'cpu', ...args]);
      const d = await runCli(['dist', 'plan', ...sums, '-m', 'near-miss', '-o', join(dir, 'ep.json'), ...args]);
      expect(one.code).toBe(3);
      expect(d.code).toBe(3);
      const line = d.stderr.trim();
      expect(line.split('\n')).toHaveLength(1);
      expect(line).toMatch(/near-miss needs \d+ neighbours in .* lower (nNeighbors|nNeighborsVer3) to at most \d+/);
      expect(one.stderr).toContain(line.slice(line.indexOf('near-miss needs')));
    }
  });

  it('select without the chosen rows, score with missing minority files and --scale are refused with the fix', async () => {
    const work = mkdtempSync(join(dir, 'wf-'));
    await runLocal(split5, work, 'near-miss', { plan: ['--near-miss-version', '3'] });
    const plan = join(work, 'plan.json');
    const sel = await runCli(['dist', 'select', split5[0], '--plan', plan, '--index', '0', '-o', join(work, 'o.csv')]);
    expect(sel.code).toBe(3);
    expect(sel.stderr).toMatch(/needs the chosen rows: pass --thresholds/);
    const gathered = split5.map((_, i) => join(work, `cg${i}.csv`));
    expect(gathered.every((f) => existsSync(f))).toBe(true);
    const scaled = await runCli(['dist', 'score', split5[0], '--plan', plan, '--index', '0', '--minority', ...gathered, '--scale', 'standard', '-o', join(work, 'x.json')]);
    expect(scaled.code).toBe(2);
    expect(scaled.stderr).toMatch(/--scale standard is not supported by the distributed near-miss/);
    const missing = await runCli(['dist', 'score', split5[1], '--plan', plan, '--index', '1', '--minority', ...gathered.slice(1), '-o', join(work, 'x.json')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/pass the gather output of every partition/);
  });
});
