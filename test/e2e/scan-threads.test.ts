/**
 * The parallel counting pass (dataset/scan-parallel.ts, the built dist/: its worker file exists
 * only there) does not depend on the thread count: generated files with every kind of cell, label
 * spellings first seen in later ranges, bool spellings that change, integers repeated across
 * ranges, text first seen late, missing / NaN rows, ragged rows skipped, NA spellings, mixed line
 * endings and blank lines give the same profile and notices with 1, 2, 3 and 5 threads (the
 * ranges really are scanned in parallel); a file with a quote, and a bad row under
 * --on-bad-row error, fall back to the sequential pass and its error.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';

const { dir, cleanup } = tempDir('rebalance-e2e-scan-threads-');
afterAll(cleanup);

const dist = (p: string): Promise<Record<string, unknown>> => import(join(ROOT, 'dist', p));

interface Mods {
  openTable: (path: string, read: object, sem: object) => Promise<{ csv?: unknown; close(): Promise<void> }>;
  scanTable: (source: unknown, options: object) => Promise<Record<string, unknown>>;
  scanParallel: (csv: unknown, o: object) => Promise<unknown[] | null>;
}
async function mods(): Promise<Mods> {
  const sem = await dist('dataset/cell-semantics.js');
  const scan = await dist('dataset/scan.js');
  const par = await dist('dataset/scan-parallel.js');
  return { openTable: sem.openTable as Mods['openTable'], scanTable: scan.scanTable as Mods['scanTable'], scanParallel: par.scanParallel as Mods['scanParallel'] };
}

const saved = { threads: process.env.REBALANCE_SCAN_THREADS, bytes: process.env.REBALANCE_SCAN_PARALLEL_BYTES };
afterEach(() => {
  for (const [k, v] of [['REBALANCE_SCAN_THREADS', saved.threads], ['REBALANCE_SCAN_PARALLEL_BYTES', saved.bytes]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** A table whose later rows differ from its first ones (so every range sees something new). */
function generate(rows: number, seed: number, lateText = false): string {
  let x = seed;
  const rnd = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const lines = ['\ufeffid_like,num,int,flag,cat,when,mixed,label\n'];
  for (let r = 0; r < rows; r++) {
    const late = r > rows * 0.7;
    const num = rnd(40) === 0 ? '' : rnd(60) === 0 ? 'NA' : rnd(80) === 0 ? 'inf' : (rnd(20000) / 100 - 100).toFixed(rnd(4));
    const int = String(late ? r % 50 : r);
    const flag = late ? (rnd(2) ? 'TRUE' : 'False') : rnd(2) ? 'true' : 'false';
    const cat = late && rnd(10) === 0 ? 'é-late' : ['a', 'b', 'c'][rnd(3)];
    const when = rnd(3) ? '2024-01-31' : '';
    const mixed = lateText ? (late && rnd(50) === 0 ? 'text' : String(rnd(100))) : rnd(3) === 0 ? String(rnd(100)) : late ? 'late' : 'early';
    const label = late && rnd(20) === 0 ? '2' : rnd(25) === 0 ? '1.0' : rnd(10) === 0 ? '1' : rnd(200) === 0 ? 'NA' : '0';
    const cells = [String(r), num, int, flag, cat, when, mixed, label];
    if (rnd(300) === 0) cells.pop();
    const eol = rnd(7) === 0 ? '\r\n' : rnd(50) === 0 ? '\r' : '\n';
    lines.push(cells.join(',') + eol + (rnd(100) === 0 ? '  \n' : ''));
  }
  return lines.join('');
}

async function profileWith(m: Mods, path: string, threads: number, options: object): Promise<unknown> {
  process.env.REBALANCE_SCAN_THREADS = String(threads);
  process.env.REBALANCE_SCAN_PARALLEL_BYTES = '0';
  const notices: string[] = [];
  const source = await m.openTable(path, {}, {});
  try {
    const p = await m.scanTable(source, { ...options, onNotice: (s: string) => notices.push(s) });
    const err = p.missingError as { message?: string } | null | undefined;
    return { ...p, labels: Array.from(p.labels as Int32Array), counts: Array.from(p.counts as Int32Array), missingError: err?.message ?? null, notices };
  } catch (e) {
    return { error: String((e as Error).message) };
  } finally {
    await source.close();
  }
}

describe('parallel counting pass', () => {
  it('the same profile, notices and errors with 1, 2, 3 and 5 threads; the ranges run in parallel', async () => {
    const m = await mods();
    for (const [rows, seed] of [
      [3000, 1],
      [12000, 2],
    ] as const) {
      const path = join(dir, `g-${seed}.csv`);
      writeFileSync(path, generate(rows, seed));
      process.env.REBALANCE_SCAN_THREADS = '3';
      process.env.REBALANCE_SCAN_PARALLEL_BYTES = '0';
      const source = await m.openTable(path, {}, {});
      try {
        const parts = await m.scanParallel(source.csv, { nCols: 8, labelIndex: 7, categorical: new Array(8).fill(false), onBadRow: 'skip' });
        expect(parts?.length).toBe(3);
      } finally {
        await source.close();
      }
      for (const options of [{ missing: 'keep', missingLabel: 'drop', onBadRow: 'skip' }, { missing: 'drop', onBadRow: 'skip', categorical: ['cat'] }, { missing: 'keep', missingLabel: 'drop', onBadRow: 'skip', naValues: ['a', 'inf'] }]) {
        const one = await profileWith(m, path, 1, options);
        expect(one, JSON.stringify(one).slice(0, 300)).not.toHaveProperty("error");
        for (const t of [2, 3, 5]) expect(await profileWith(m, path, t, options)).toEqual(one);
      }
      // A bad row under --on-bad-row error: the sequential pass's error, whatever the threads.
      const err = await profileWith(m, path, 1, { missing: 'keep' });
      expect(err).toHaveProperty('error');
      expect(await profileWith(m, path, 3, { missing: 'keep' })).toEqual(err);
      // Text first seen in a late range of a numeric column: the error names the same first value and row.
      const late = join(dir, `late-${seed}.csv`);
      writeFileSync(late, generate(rows, seed, true));
      const lateErr = await profileWith(m, late, 1, { missing: 'keep', onBadRow: 'skip' });
      expect(JSON.stringify(lateErr)).toMatch(/non-numeric value 'text'/);
      for (const t of [2, 3]) expect(await profileWith(m, late, t, { missing: 'keep', onBadRow: 'skip' })).toEqual(lateErr);
    }
  }, 120_000);

  it('a quote in the file: the parallel pass declines and the sequential one reads it', async () => {
    const m = await mods();
    const path = join(dir, 'quoted.csv');
    writeFileSync(path, 'a,b,label\n' + Array.from({ length: 3000 }, (_, i) => (i === 2500 ? `${i},"x\ny",1\n` : `${i},${'pqr'[i % 3]},${i % 2}\n`)).join(''));
    process.env.REBALANCE_SCAN_THREADS = '2';
    process.env.REBALANCE_SCAN_PARALLEL_BYTES = '0';
    const source = await m.openTable(path, {}, {});
    try {
      expect(await m.scanParallel(source.csv, { nCols: 3, labelIndex: 2, categorical: [false, false, false], onBadRow: 'skip' })).toBeNull();
    } finally {
      await source.close();
    }
    const one = await profileWith(m, path, 1, { missing: 'keep' });
    expect(one, JSON.stringify(one).slice(0, 300)).toHaveProperty("rowsRead", 3000);
    expect(await profileWith(m, path, 2, { missing: 'keep' })).toEqual(one);
  }, 60_000);
});
