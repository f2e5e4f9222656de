/**
 * The counting pass's byte path (scanTable over TableSource.csv records) against the string path
 * (scanTable over batches()): the same profile, notices and errors for generated CSV files with
 * every kind of cell (numbers in all spellings, NA spellings, text, bools, ISO dates, quoted and
 * escaped fields, non-ASCII), labels spelled '1' / '1.0' / quoted / NA, ragged rows, and the scan
 * options; and readTable's one-read Dataset (datasetFromValues) equals the two-pass one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RebalanceError } from '../../../src/core/errors.js';
import { openTable } from '../../../src/dataset/cell-semantics.js';
import { scanTable, type ScanOptions, type TableProfile } from '../../../src/dataset/scan.js';
import type { RowBatch } from '../../../src/io/batch.js';
import type { TableSource } from '../../../src/io/source.js';
import { DatasetBuilder } from '../../../src/pipeline/collect.js';
import { eachRow } from '../../../src/pipeline/passes.js';
import { datasetFromValues, readTable } from '../../../src/pipeline/read-table.js';
import { tempDir } from '../../helpers/cli.js';

const { dir, cleanup } = tempDir('rebalance-scan-bytes-');
afterAll(cleanup);
let fileNo = 0;
function file(text: string): string {
  const p = join(dir, `t${fileNo++}.csv`);
  writeFileSync(p, text);
  return p;
}

const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;
const NUMBERS = ['0', '1', '-2', '+3', '007', '12', '1.5', '-0.25', '.5', '5.', '1e5', '-1.5E-3', '1e400', '123456789012345678', '0.30000000000000004', '-0'];
const NON_FINITE = ['inf', '-Infinity', 'nan', 'NaN'];
const NA = ['', 'NA', 'null', 'N/A', '#N/A', 'None', '-999', 'néant'];
const TEXT = ['x', 'abc', 'é', '漢字', 'a b', '2024-01-31', '2024-01-31T12:00:00Z', 'true', 'False', 'TRUE', ' 1', '1,5', 'say "hi"'];
const LABELS = ['0', '1', '1.0', '01', '+1', 'a', 'b', 'NA', '', 'long_label_value', 'é', 'a"b', '2', '1e0'];

type Kind = 'int' | 'num' | 'mixed' | 'text' | 'bool' | 'date' | 'id';
const pools: Record<Kind, string[]> = {
  int: ['0', '1', '-2', '+3', '007', '12', '99', ...NA.slice(0, 3)],
  num: [...NUMBERS, ...NA, ...NON_FINITE],
  mixed: [...NUMBERS, ...TEXT, ...NA],
  text: [...TEXT, ...NA],
  bool: ['true', 'false', 'TRUE', 'False', ''],
  date: ['2024-01-31', '2023-12-01 10:00:00', ''],
  id: [],
};

interface Case {
  text: string;
  options: ScanOptions;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    kinds: fc.array(fc.constantFrom<Kind>('int', 'num', 'num', 'mixed', 'text', 'bool', 'date', 'id'), { minLength: 1, maxLength: 5 }),
    nRows: fc.integer({ min: 1, max: 40 }),
    seed: fc.integer({ min: 0, max: 1 << 30 }),
    labels: fc.subarray(LABELS, { minLength: 1 }),
    ragged: fc.boolean(),
    crlf: fc.boolean(),
    options: fc.record(
      {
        missing: fc.constantFrom<'error' | 'drop' | 'keep'>('error', 'drop', 'keep', 'keep'),
        missingLabel: fc.constantFrom<'error' | 'drop'>('error', 'drop'),
        onBadRow: fc.constantFrom<'error' | 'skip'>('error', 'skip'),
        naValues: fc.constantFrom<readonly string[] | undefined>(undefined, ['-999', 'néant', 'x'], []),
        categorical: fc.constantFrom<string[] | undefined>(undefined, ['c0']),
        maxCategoricalFraction: fc.constantFrom<number | undefined>(undefined, 1),
      },
      { requiredKeys: ['missing'] },
    ),
  })
  .map(({ kinds, nRows, seed, labels, ragged, crlf, options }) => {
    let x = seed;
    const rnd = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % n;
    };
    const quote = (s: string): string => (s.includes(',') || s.includes('"') || rnd(6) === 0 ? q(s) : s);
    const header = [...kinds.map((_, j) => `c${j}`), 'label'];
    const lines = [header.join(',')];
    for (let r = 0; r < nRows; r++) {
      const cells = kinds.map((k) => quote(k === 'id' ? String(r * 7 + 1) : pools[k][rnd(pools[k].length)]));
      cells.push(quote(labels[rnd(labels.length)]));
      if (ragged && rnd(8) === 0) cells.pop();
      lines.push(cells.join(','));
    }
    const eol = crlf ? '\r\n' : '\n';
    return { text: lines.join(eol) + eol, options };
  });

type Outcome = { profile: Omit<TableProfile, 'missingError' | 'values'>; missingError: string | null; notices: string[] } | { error: string };

async function outcome(path: string, options: ScanOptions, bytes: boolean): Promise<Outcome> {
  const notices: string[] = [];
  const opts = { ...options, onNotice: (m: string) => notices.push(m) };
  const source = await openTable(path, {}, opts);
  try {
    // The string path: a source without byte access. The byte path: a source whose batches() must not be read.
    const src: TableSource = bytes
      ? (() => {
          const fail = (): AsyncGenerator<RowBatch> => {
            throw new Error('the byte path read batches()');
          };
          return { ...source, batches: fail, csv: { ...source.csv!, batches: fail } };
        })()
      : { ...source, csv: undefined };
    const { missingError, values: _values, ...profile } = await scanTable(src, opts);
    return { profile, missingError: missingError ? `${missingError.code}: ${missingError.message}` : null, notices };
  } catch (e) {
    if (e instanceof RebalanceError) return { error: `${e.code}: ${e.message}` };
    throw e;
  } finally {
    await source.close();
  }
}

describe('the counting pass from bytes', () => {
  it('gives the same with the JavaScript field splitter (REBALANCE_CSV_WASM=0) as with the kernel', async () => {
    const before = process.env.REBALANCE_CSV_WASM;
    process.env.REBALANCE_CSV_WASM = '0';
    try {
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ text, options }) => {
          const path = file(text);
          expect(await outcome(path, options, true)).toEqual(await outcome(path, options, false));
        }),
        { numRuns: 100, seed: 16 },
      );
    } finally {
      if (before === undefined) delete process.env.REBALANCE_CSV_WASM;
      else process.env.REBALANCE_CSV_WASM = before;
    }
  });

  it('gives the profile, notices and errors of the string path on generated files', async () => {
    let profiles = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ text, options }) => {
        const path = file(text);
        const byBytes = await outcome(path, options, true);
        const byStrings = await outcome(path, options, false);
        expect(byBytes).toEqual(byStrings);
        if ('profile' in byBytes) profiles++;
      }),
      { numRuns: 300, seed: 14 },
    );
    expect(profiles).toBeGreaterThan(60);
  });

  it('a CSV source offers its records; the pass reads them and not batches()', async () => {
    const path = file('a,b,label\n1,x,0\n2.5,y,1\n,z,1.0\n');
    const out = await outcome(path, { missing: 'keep' }, true);
    expect('profile' in out && out.profile.classNames).toEqual(['0', '1']);
    expect('profile' in out && out.profile.columns.map((c) => c.kind)).toEqual(['float', 'text', 'categorical']);
  });

  it('a delimiter that numbers contain (--delimiter . / - / 1), or of two UTF-8 bytes, reads as the cells read', async () => {
    for (const d of ['.', '-', '1', '+', '§']) {
      const text = [['a', 'b', 'label'], ['2', '3', 'x'], ['4', '5', 'y'], ['6', '', 'x']].map((r) => r.join(d)).join('\n') + '\n';
      const path = file(text);
      const run = async (bytes: boolean): Promise<unknown> => {
        const source = await openTable(path, { delimiter: d }, {});
        try {
          const { missingError, ...p } = await scanTable(bytes ? source : { ...source, csv: undefined }, { missing: 'keep' });
          return { ...p, missingError: missingError?.message };
        } finally {
          await source.close();
        }
      };
      const want = await run(false);
      expect(await run(true)).toEqual(want);
      expect((want as { rowsRead: number }).rowsRead).toBe(3);
    }
  });

  it('non-ASCII, escaped quotes, bare CR endings and a BOM read the same', async () => {
    const text = '\ufeffc0,c1,label\r1,"a""b",é\r2,"x,y","1"\r\n3,漢字,1.0\n"4","",é\n';
    const path = file(text);
    expect(await outcome(path, { maxCategoricalFraction: 1 }, true)).toEqual(await outcome(path, { maxCategoricalFraction: 1 }, false));
  });
});

describe('readTable: one read for all-numeric CSV files', () => {
  async function twoPass(path: string, options: ScanOptions): Promise<{ profile: TableProfile; data: ReturnType<DatasetBuilder['finish']> }> {
    const source = await openTable(path, {}, options);
    try {
      const profile = await scanTable(source, { ...options, collectValues: true });
      const builder = new DatasetBuilder(profile, () => true, true);
      await eachRow({ source, profile }, (cells, r, code) => builder.add(cells, r, code));
      return { profile, data: { ...builder.finish(), rowIds: undefined } };
    } finally {
      await source.close();
    }
  }

  it('the values kept by the counting pass make the Dataset a second pass gathers, bit for bit', async () => {
    const numCase = fc
      .record({
        cols: fc.integer({ min: 1, max: 4 }),
        rows: fc.array(fc.tuple(fc.array(fc.constantFrom(...NUMBERS, '', 'NA', 'inf', '3.141592653589793238', '-1e-7'), { minLength: 4, maxLength: 4 }), fc.constantFrom('0', '1', 'NA', '1.0'), fc.boolean()), { minLength: 2, maxLength: 30 }),
        missing: fc.constantFrom<'drop' | 'keep'>('drop', 'keep'),
      })
      .map(({ cols, rows, missing }) => {
        const lines = [[...Array.from({ length: cols }, (_, j) => `f${j}`), 'label'].join(',')];
        for (const [cells, label, ragged] of rows) lines.push([...cells.slice(0, ragged ? cols - 1 : cols), label].join(','));
        return { text: lines.join('\n') + '\n', options: { missing, missingLabel: 'drop', onBadRow: 'skip' } as ScanOptions };
      });
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(numCase, async ({ text, options }) => {
        const path = file(text);
        let two: Awaited<ReturnType<typeof twoPass>>;
        try {
          two = await twoPass(path, options);
        } catch (e) {
          if (e instanceof RebalanceError) return;
          throw e;
        }
        const one = datasetFromValues(two.profile);
        // All-missing columns are carried through as text: the second pass is needed for them.
        if (two.profile.columns.some((c) => c.role === 'passthrough' || (c.role === 'feature' && c.kind !== 'int' && c.kind !== 'float'))) {
          expect(one).toBeNull();
          return;
        }
        expect(one).not.toBeNull();
        compared++;
        expect(one!.nRows).toBe(two.data.nRows);
        expect(Array.from(one!.labels)).toEqual(Array.from(two.data.labels));
        expect(one!.featureNames).toEqual(two.data.featureNames);
        expect(one!.featureKinds).toEqual(two.data.featureKinds);
        one!.features.forEach((col, f) => {
          const want = two.data.features[f];
          expect(col.length).toBe(want.length);
          for (let i = 0; i < col.length; i++) if (!Object.is(col[i], want[i])) expect({ f, i, v: col[i] }).toEqual({ f, i, v: want[i] });
        });
      }),
      { numRuns: 200, seed: 15 },
    );
    expect(compared).toBeGreaterThan(50);
  });

  it('readTable gives the same Dataset with and without the one-read path', async () => {
    const path = file('a,b,label\n1,2.5,0\n3,,1\n5,1e-3,1\n7,8,0\n');
    const data = await readTable(path, { missing: 'drop' });
    expect(data.nRows).toBe(3);
    expect(data.features.map((c) => Array.from(c))).toEqual([
      [1, 5, 7],
      [2.5, 1e-3, 8],
    ]);
    expect(Array.from(data.labels)).toEqual([0, 1, 0]);
    // A text column forces the second pass: same numbers.
    const withText = file('a,b,note,label\n1,2.5,x,0\n3,,y,1\n5,1e-3,z,1\n7,8,w,0\n');
    const data2 = await readTable(withText, { missing: 'drop', passthrough: ['note'] });
    expect(data2.features.map((c) => Array.from(c))).toEqual(data.features.map((c) => Array.from(c)));
    expect(data2.passthrough.get('note')).toEqual(['x', 'z', 'w']);
  });
});
