/**
 * The in-memory side of pipeline/: readTable (a whole table as a Dataset) and resampleData (a
 * Dataset through a registered method), and the agreement of the streaming job (runResample with
 * its one streaming loop) with the same samplers run in memory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resample } from '../../../src/api.js';
import { DataError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import { readTable } from '../../../src/pipeline/read-table.js';
import { resampleData } from '../../../src/pipeline/resample-data.js';
import { runResample } from '../../../src/pipeline/resample.js';

const dir = mkdtempSync(join(tmpdir(), 'rebalance-read-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** i (int feature, = row index; not named 'id', which would be carried through), f, a pass-through note, the label; class 'r' is rare. */
function table(n: number): string {
  const p = join(dir, `t${n}.csv`);
  const lines = ['i,f,note,label'];
  for (let i = 0; i < n; i++) lines.push(`${i},${(i * 37) % 11}.5,"n ${i}",${i % 7 === 3 ? 'r' : i % 3 === 0 ? 'm' : 'c'}`);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

describe('readTable', () => {
  it('reads every kept row: features, class codes, pass-through columns', async () => {
    const data = await readTable(table(30), { passthrough: ['note'] });
    expect(data.nRows).toBe(30);
    expect(data.featureNames).toEqual(['i', 'f']);
    expect(data.featureKinds).toEqual(['int', 'float']);
    expect(data.classNames).toEqual(['c', 'm', 'r']);
    expect(Array.from(data.features[0])).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(data.labels[3]).toBe(2);
    expect(data.passthrough.get('note')![5]).toBe('n 5');
    expect(data.rowIds).toBeUndefined();
  });
});

describe('resampleData', () => {
  it.each(['random-over', 'random-under', 'smote', 'tomek-links'])('%s: the same Dataset as the library resample', async (method) => {
    const data = await readTable(table(60));
    const knn = createNaiveBackend();
    const ours = await resampleData(data, method, { rng: createRng(9), knn });
    const lib = (await resample(data, method, { rng: createRng(9), knn })).data;
    expect(ours.nRows).toBe(lib.nRows);
    expect(ours.labels).toEqual(lib.labels);
    expect(ours.features).toEqual(lib.features);
  });

  it('needs two classes', async () => {
    const data = await readTable(table(60));
    const one = { ...data, labels: new Int32Array(data.nRows) };
    await expect(resampleData(one, 'smote', { rng: createRng(1), knn: createNaiveBackend() })).rejects.toThrow(DataError);
  });
});

describe('the streaming job writes what the in-memory sampler returns', () => {
  it.each([
    ['random-over', {}],
    ['random-under', {}],
    ['random-under', { replacement: true }],
  ])('%s %j', async (method, samplerOptions) => {
    const input = table(200);
    const output = join(dir, `${method}-${Object.keys(samplerOptions).length}.csv`);
    const summary = await runResample({ input, output, method, samplerOptions, rng: createRng(5), seed: 5, read: { batchSize: 16 } });
    const ids = readFileSync(output, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
    const data = await readTable(input);
    const expected = await resampleData(data, method, { rng: createRng(5), knn: createNaiveBackend(), options: samplerOptions });
    expect(ids).toEqual(Array.from(expected.features[0]));
    expect(summary.rowsWritten).toBe(expected.nRows);
  });
});
