import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { createCpuBackend } from '../../../src/neighbors/cpu.js';
import { runResample } from '../../../src/pipeline/resample.js';

const dir = mkdtempSync(join(tmpdir(), 'rebalance-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = join(import.meta.dirname, '../../../examples/pima.csv');

/** Runs a job and returns the output bytes and the progress calls. */
async function run(method: string, withProgress: boolean, ext: string): Promise<{ bytes: Buffer; calls: [string, number, number | null][] }> {
  const calls: [string, number, number | null][] = [];
  const out = join(dir, `${method}-${withProgress}.${ext}`);
  await runResample({
    input,
    output: out,
    method,
    rng: createRng(3),
    seed: 3,
    read: { batchSize: 128 },
    knn: async () => createCpuBackend({ threads: 1 }),
    onProgress: withProgress ? (task, done, total) => void calls.push([task, done, total]) : undefined,
  });
  return { bytes: readFileSync(out), calls };
}

// Each scope's steps, in order (pima: 768 rows).
const STEPS: Record<string, string[]> = {
  'random-under': ['pass 1, reading', 'pass 2, writing'],
  'random-over': ['pass 1, reading', 'pass 2, writing'],
  smote: ['pass 1, reading', 'pass 2, writing', 'writing added rows'],
  'tomek-links': ['pass 1, reading', 'pass 2, loading features', 'pass 3, writing'],
  'smote-enn': ['pass 1, reading', 'pass 2, loading features', 'pass 3, writing', 'writing added rows'],
};

describe('resample job progress (onProgress)', () => {
  // CSV out: the writing passes copy raw rows (chunks of up to ~1 MB: the whole file here); TSV
  // out: they go batch by batch (128 rows).
  for (const [method, steps] of Object.entries(STEPS)) for (const ext of ['csv', 'tsv']) {
    it(`${method} -> ${ext}: steps in order, counts rising to their totals, output unchanged`, async () => {
      const plain = await run(method, false, ext);
      const watched = await run(method, true, ext);
      expect(watched.bytes.equals(plain.bytes)).toBe(true);
      expect([...new Set(watched.calls.map(([t]) => t))]).toEqual(steps);
      for (const task of steps) {
        const mine = watched.calls.filter(([t]) => t === task);
        // Batches of 128 rows: a report for each of the 6 batches of a pass.
        if (task === 'pass 1, reading' || (task.startsWith('pass') && ext === 'tsv')) expect(mine.length).toBeGreaterThan(5);
        const [, lastDone, lastTotal] = mine.at(-1)!;
        expect(lastDone).toBe(lastTotal);
        let prev = 0;
        for (const [, done, total] of mine) {
          expect(done).toBeGreaterThanOrEqual(prev);
          if (total !== null) expect(done).toBeLessThanOrEqual(total);
          prev = done;
        }
        // The first pass does not know the total until it ends.
        expect(mine.slice(0, -1).every(([, , total]) => (task === 'pass 1, reading') === (total === null))).toBe(true);
      }
      expect(watched.calls.find(([t]) => t === 'pass 1, reading')?.[1]).toBe(128);
    });
  }
});

describe('inspect progress', () => {
  it('reports its two passes batch by batch, the same result as without', async () => {
    const { inspectTable } = await import('../../../src/pipeline/inspect.js');
    const calls: [string, number, number | null][] = [];
    const plain = await inspectTable(input, { batchSize: 100 });
    const watched = await inspectTable(input, { batchSize: 100 }, {}, (t, d, n) => void calls.push([t, d, n]));
    expect(watched).toEqual(plain);
    const reading = calls.filter(([t]) => t === 'pass 1, reading');
    const stats = calls.filter(([t]) => t === 'pass 2, statistics');
    expect(calls.length).toBe(reading.length + stats.length);
    expect(reading.at(-1)).toEqual(['pass 1, reading', 768, 768]);
    expect(reading.slice(0, -1).every(([, , n]) => n === null)).toBe(true);
    expect(stats.map(([, d]) => d)).toEqual([100, 200, 300, 400, 500, 600, 700, 768, 768]);
  });
});
