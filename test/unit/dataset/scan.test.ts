/**
 * The counting pass (scanTable): type inference per column, label detection, missing values,
 * malformed rows, duplicate names, forced kinds, class-name order and provenance columns.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, RebalanceError, UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { openSource, type ReadOptions } from '../../../src/io/source.js';
import { findLabelColumn, requireTwoClasses, scanTable, type ScanOptions, type TableProfile } from '../../../src/dataset/scan.js';
import { runResample } from '../../../src/pipeline/resample.js';
import { tempDir } from '../../helpers/cli.js';

const { dir, cleanup } = tempDir('rebalance-scan-test-');
afterAll(cleanup);

let n = 0;
function csv(text: string): string {
  const p = join(dir, `t${n++}.csv`);
  writeFileSync(p, text);
  return p;
}

async function scanPath(path: string, options: ScanOptions = {}, read: ReadOptions = {}): Promise<TableProfile> {
  const src = await openSource(path, read);
  try {
    return await scanTable(src, options);
  } finally {
    await src.close();
  }
}

const scan = (text: string, options: ScanOptions = {}, read: ReadOptions = {}): Promise<TableProfile> => scanPath(csv(text), options, read);

async function scanError(text: string, options: ScanOptions = {}, read: ReadOptions = {}): Promise<RebalanceError> {
  const e = await scan(text, options, read).then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RebalanceError);
  return e as RebalanceError;
}

/** Builds a CSV from columns of cell text (all the same length). */
function table(cols: Record<string, string[]>): string {
  const names = Object.keys(cols);
  const rows = cols[names[0]].map((_, i) => names.map((c) => cols[c][i]).join(','));
  return [names.join(','), ...rows].join('\n') + '\n';
}

const LABEL8 = ['a', 'a', 'b', 'a', 'b', 'a', 'a', 'b'];

describe('type inference per column', () => {
  it('int, float, bool, categorical and free text', async () => {
    const p = await scan(
      table({
        i: ['1', '-2', '+3', '004', '5', '6', '7', '8'],
        f: ['1.5', '2', '-3e2', '.5', '5.', '1E-3', '7', '8'],
        b: ['true', 'false', 'TRUE', 'False', 'true', 'true', 'FALSE', 'True'],
        c: ['red', 'blue', 'red', 'red', 'blue', 'green', 'red', 'blue'],
        t: ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'],
        label: LABEL8,
      }),
    );
    expect(p.columns.map((c) => [c.name, c.kind, c.role])).toEqual([
      ['i', 'int', 'feature'],
      ['f', 'float', 'feature'],
      ['b', 'bool', 'feature'],
      ['c', 'categorical', 'feature'],
      ['t', 'text', 'passthrough'],
      ['label', 'categorical', 'label'],
    ]);
    expect(p.columns[0]).toMatchObject({ missing: 0, nonFinite: 0 });
    expect(p.columns[3].categories).toEqual(['blue', 'green', 'red']);
    expect(p.columns[2].boolText).toBeDefined();
    expect(p.format).toBe('csv');
    expect(p.columns.every((c) => c.arrowType === undefined)).toBe(true);
  });

  it("hex such as '0x10' is text, not a number", async () => {
    const p = await scan(table({ h: ['0x10', '0x20', '0x10', '0x20', '0x10', '0x20', '0x10', '0x20'], label: LABEL8 }));
    expect(p.columns[0]).toMatchObject({ kind: 'categorical', role: 'feature', categories: ['0x10', '0x20'] });
    // Mostly numbers with one hex cell: a clear error naming the value, row and column.
    const e = await scanError(table({ x: ['1', '2', '3', '0x10', '5', '6', '7', '8'], label: LABEL8 }));
    expect(e).toBeInstanceOf(DataError);
    expect(e).toMatchObject({ code: 'REBALANCE_NOT_NUMERIC', where: { row: 4, column: 'x' } });
    expect(e.message).toContain("'0x10'");
    expect(e.message).toContain('--categorical');
  });

  it("'1e400' overflows: the column is numeric and the value non-finite", async () => {
    const text = table({ x: ['1', '1e400', '3', '4', '5', '6', '7', '8'], label: LABEL8 });
    const e = await scanError(text);
    expect(e).toBeInstanceOf(DataError);
    expect(e).toMatchObject({ code: 'REBALANCE_NON_FINITE', where: { row: 2, column: 'x' } });
    expect(e.message).toMatch(/NaN or Infinity.*--missing drop/);
    const p = await scan(text, { missing: 'drop' });
    expect(p.columns[0]).toMatchObject({ kind: 'float', nonFinite: 1 });
    expect(p.nRows).toBe(7);
    expect(p.labels[1]).toBe(-1);
  });

  it("'NaN', 'inf', '-Infinity' are non-finite numbers, not text", async () => {
    for (const v of ['NaN', 'nan', 'inf', '-Infinity']) {
      const text = table({ x: ['1.5', '2', v, '4', '5', '6', '7', '8'], label: LABEL8 });
      const e = await scanError(text);
      expect(e, v).toMatchObject({ code: 'REBALANCE_NON_FINITE', where: { row: 3, column: 'x' } });
      const p = await scan(text, { missing: 'drop' });
      expect(p.columns[0]).toMatchObject({ kind: 'float', nonFinite: 1 });
      expect(p.droppedMissing).toBe(1);
    }
  });

  it('text-like numbers that pandas would not parse are text: a non-numeric error in a numeric column', async () => {
    for (const v of ['1 5', '1_000', '1e', '--1', '.', '+', '1.2.3', '0b1', '1e+', 'e5', '0x1A', '1d']) {
      const e = await scanError(table({ x: ['1', '2', '3', v, '5', '6', '7', '8'], label: LABEL8 }));
      expect(e.code, v).toBe('REBALANCE_NOT_NUMERIC');
      expect(e.message, v).toContain(`'${v}'`);
    }
  });

  it('a newline inside a quoted numeric field is shown escaped in the error', async () => {
    const e = await scanError('x,label\n1,a\n2,a\n"3\n",b\n4,b\n');
    expect(e.code).toBe('REBALANCE_NOT_NUMERIC');
    expect(e.message).toContain(`'3\\n'`);
  });

  it('string columns: categorical when few distinct values, else pass-through text', async () => {
    const many = Array.from({ length: 8 }, (_, i) => `v${i % 5}`);
    const p = await scan(table({ s: many, label: LABEL8 }));
    expect(p.columns[0].kind).toBe('text');
    const p2 = await scan(table({ s: many, label: LABEL8 }), { maxCategoricalFraction: 0.7 });
    expect(p2.columns[0]).toMatchObject({ kind: 'categorical', categories: ['v0', 'v1', 'v2', 'v3', 'v4'] });
  });

  it('an all-empty column is pass-through text (no error)', async () => {
    const p = await scan('x,e,label\n1,,a\n2,,b\n3,,a\n');
    expect(p.columns[1]).toMatchObject({ kind: 'text', role: 'passthrough', missing: 3 });
    expect(p.nRows).toBe(3);
  });
});

describe('label detection', () => {
  for (const name of ['label', 'class', 'target', 'y', 'Class', 'TARGET', 'Label', 'Y']) {
    it(`finds '${name}'`, async () => {
      const p = await scan(`x,${name}\n1,a\n2,b\n3,a\n`);
      expect(p.labelIndex).toBe(1);
      expect(p.columns[1].role).toBe('label');
      expect(p.classNames).toEqual(['a', 'b']);
    });
  }

  it('prefers label > class > target > y when several exist', () => {
    expect(findLabelColumn(['y', 'target', 'class', 'x'], undefined, 'f')).toBe(2);
    expect(findLabelColumn(['y', 'Target'], undefined, 'f')).toBe(1);
    expect(findLabelColumn(['Class', 'label'], undefined, 'f')).toBe(1);
  });

  it('--label picks any column (exact, then case-insensitive)', async () => {
    const p = await scan('Outcome,class,x\n1,q,5\n0,r,6\n1,q,7\n', { label: 'Outcome' });
    expect(p.labelIndex).toBe(0);
    expect(p.columns[1].role).toBe('feature');
    expect(p.classNames).toEqual(['0', '1']);
    const q = await scan('Outcome,x\n1,5\n0,6\n', { label: 'outcome' });
    expect(q.labelIndex).toBe(0);
  });

  it('no label column: a DataError that lists the columns and says --label', async () => {
    const e = await scanError('a,b,c\n1,2,3\n');
    expect(e).toBeInstanceOf(DataError);
    expect(e.code).toBe('REBALANCE_NO_LABEL');
    expect(e.message).toContain('a, b, c');
    expect(e.message).toContain('--label');
    const e2 = await scanError('a,b,c\n1,2,3\n', { label: 'zz' });
    expect(e2.code).toBe('REBALANCE_NO_LABEL');
    expect(e2.message).toContain("'zz'");
    expect(e2.message).toContain('a, b, c');
  });

  it('an empty label is missing: an error naming the row, or the row is dropped', async () => {
    const text = 'x,label\n1,a\n2,\n3,b\n';
    const e = await scanError(text);
    expect(e).toMatchObject({ code: 'REBALANCE_MISSING', where: { row: 2, column: 'label' } });
    expect(e.message).toContain('empty label');
    const p = await scan(text, { missing: 'drop' });
    expect([...p.labels]).toEqual([0, -1, 1]);
    expect(p.droppedMissing).toBe(1);
  });

  it('one class left is REBALANCE_ONE_CLASS (requireTwoClasses)', async () => {
    const p = await scan('x,label\n1,a\n2,a\n');
    expect(() => requireTwoClasses(p)).toThrow(expect.objectContaining({ code: 'REBALANCE_ONE_CLASS' }));
  });
});

describe('missing values and malformed rows', () => {
  const text = 'x,y,label\n1,2,a\n3,,b\n,5,a\n6,7,b\n8,9,a\n';

  it('--missing error (default) names the first row and column', async () => {
    const e = await scanError(text);
    expect(e).toBeInstanceOf(DataError);
    expect(e).toMatchObject({ code: 'REBALANCE_MISSING', where: { row: 2, column: 'y' } });
    expect(e.message).toMatch(/column 'y' at data row 2.*--missing drop/);
  });

  it('--missing drop drops those rows and counts them', async () => {
    const p = await scan(text, { missing: 'drop' });
    expect(p.rowsRead).toBe(5);
    expect(p.nRows).toBe(3);
    expect(p.droppedMissing).toBe(2);
    expect([...p.labels]).toEqual([0, -1, -1, 1, 0]);
    expect([...p.counts]).toEqual([2, 1]);
    expect(p.columns.map((c) => c.missing)).toEqual([1, 1, 0]);
  });

  it('a missing value in a pass-through column is never an error', async () => {
    const p = await scan('id,x,label\nr1,1,a\n,2,b\nr3,3,a\n', { passthrough: ['id'] });
    expect(p.nRows).toBe(3);
    expect(p.columns[0]).toMatchObject({ role: 'passthrough', missing: 1 });
  });

  it('a class that loses every row to dropping disappears', async () => {
    const p = await scan('x,label\n1,a\n,c\n2,b\n3,a\n', { missing: 'drop' });
    expect(p.classNames).toEqual(['a', 'b']);
    expect([...p.labels]).toEqual([0, -1, 1, 0]);
  });

  it('all rows dropped is REBALANCE_NO_ROWS', async () => {
    const e = await scanError('x,y,label\n,1,a\n2,,b\n', { missing: 'drop' });
    expect(e.code).toBe('REBALANCE_NO_ROWS');
  });

  it('--on-bad-row error (default): a ragged row names its number and field counts', async () => {
    const e = await scanError('x,y,label\n1,2,a\n3,b\n4,5,a\n6,7,8,b\n');
    expect(e).toBeInstanceOf(DataError);
    expect(e).toMatchObject({ code: 'REBALANCE_RAGGED_ROW', where: { row: 2 } });
    expect(e.message).toMatch(/has 2 fields, expected 3.*--on-bad-row skip/);
  });

  it('--on-bad-row skip drops short and long rows and counts them', async () => {
    const p = await scan('x,y,label\n1,2,a\n3,b\n4,5,a\n6,7,8,b\n9,10,b\n', { onBadRow: 'skip' });
    expect(p.rowsRead).toBe(5);
    expect(p.droppedBadRows).toBe(2);
    expect(p.droppedMissing).toBe(0);
    expect([...p.labels]).toEqual([0, -1, 0, -1, 1]);
    expect(p.columns[0]).toMatchObject({ kind: 'int' });
  });
});

describe('column names and forced kinds', () => {
  it('duplicate column names are a DataError naming both positions', async () => {
    const e = await scanError('x,y,x,label\n1,2,3,a\n');
    expect(e).toBeInstanceOf(DataError);
    expect(e.code).toBe('REBALANCE_DUPLICATE_COLUMN');
    expect(e.message).toMatch(/'x' \(columns 1 and 3\)/);
  });

  it('--categorical makes a numeric column categorical (categories = its distinct text)', async () => {
    const p = await scan(table({ zip: ['10', '9', '10', '10', '9', '10', '7', '9'], label: LABEL8 }), { categorical: ['zip'] });
    expect(p.columns[0]).toMatchObject({ kind: 'categorical', role: 'feature' });
    expect([...p.columns[0].categories!].sort()).toEqual(['10', '7', '9']);
    expect(new Set(p.columns[0].categories).size).toBe(3);
  });

  it('--passthrough carries a numeric column untouched, never as a feature', async () => {
    const p = await scan('id,x,label\n1,5,a\n2,6,b\n3,7,a\n', { passthrough: ['id'] });
    expect(p.columns[0]).toMatchObject({ kind: 'text', role: 'passthrough' });
    expect(p.columns[1]).toMatchObject({ kind: 'int', role: 'feature' });
  });

  it('--passthrough also silences a non-numeric error in that column', async () => {
    const text = table({ x: ['1', '2', '3', 'oops', '5', '6', '7', '8'], label: LABEL8 });
    expect((await scanError(text)).code).toBe('REBALANCE_NOT_NUMERIC');
    const p = await scan(text, { passthrough: ['x'] });
    expect(p.columns[0].role).toBe('passthrough');
  });

  it('an unknown column in --categorical / --passthrough is a UsageError listing the columns', async () => {
    for (const opts of [{ categorical: ['nope'] }, { passthrough: ['nope'] }]) {
      const e = await scanError('x,label\n1,a\n', opts);
      expect(e).toBeInstanceOf(UsageError);
      expect(e.code).toBe('REBALANCE_UNKNOWN_COLUMN');
      expect(e.message).toContain('x, label');
    }
  });

  it('--no-header columns are col0, col1, ... and --label col2 works', async () => {
    const p = await scan('1,2,a\n3,4,b\n5,6,a\n', { label: 'col2' }, { header: false });
    expect(p.columns.map((c) => c.name)).toEqual(['col0', 'col1', 'col2']);
    expect(p.rowsRead).toBe(3);
    expect(p.classNames).toEqual(['a', 'b']);
  });
});

describe('class names', () => {
  it("sort numerically when all are numbers ('10' after '9'), else as strings", async () => {
    const lines = ['x,label', ...['10', '9', '1', '2', '-1', '0', '10'].map((l, i) => `${i},${l}`)];
    const p = await scan(lines.join('\n') + '\n');
    expect(p.classNames).toEqual(['-1', '0', '1', '2', '9', '10']);
    expect([...p.labels]).toEqual([5, 4, 2, 3, 0, 1, 5]);
    expect([...p.counts]).toEqual([1, 1, 1, 1, 1, 2]);
    const q = await scan('x,label\n1,b10\n2,b9\n3,a\n4,B\n');
    expect(q.classNames).toEqual(['B', 'a', 'b10', 'b9']);
    const mixed = await scan('x,label\n1,10\n2,9\n3,x\n');
    expect(mixed.classNames).toEqual(['10', '9', 'x']);
  });
});

describe('provenance columns', () => {
  it('_synthetic, _source_row, _neighbor_row read back as pass-through', async () => {
    const input = csv('x,y,label\n1,2.5,a\n2,3.5,a\n3,4.5,a\n4,5.5,b\n');
    const out = join(dir, 'prov.csv');
    await runResample({ input, output: out, method: 'random-over', rng: createRng(5), seed: 5, provenance: true });
    const p = await scanPath(out);
    expect(p.columns.map((c) => [c.name, c.role, c.kind])).toEqual([
      ['x', 'feature', 'int'],
      ['y', 'feature', 'float'],
      ['label', 'label', 'categorical'],
      ['_synthetic', 'passthrough', 'text'],
      ['_source_row', 'passthrough', 'text'],
      ['_neighbor_row', 'passthrough', 'text'],
    ]);
    // _neighbor_row is empty for copies: no missing-value error, every row kept.
    expect(p.columns[5].missing).toBe(6);
    expect(p.nRows).toBe(6);
    expect([...p.counts]).toEqual([3, 3]);
    // Hand-written provenance columns behave the same.
    const q = await scan('x,_synthetic,_source_row,_neighbor_row,label\n1,0,0,,a\n2,1,0,1,b\n');
    expect(q.columns.slice(1, 4).every((c) => c.role === 'passthrough' && c.kind === 'text')).toBe(true);
  });
});

describe('labels array and counts', () => {
  it('labels are class codes per input row; batch size never changes the result', async () => {
    const lines = ['x,label'];
    for (let i = 0; i < 1000; i++) lines.push(`${i % 17},${['p', 'q', 'r'][(i * 7) % 3]}`);
    const path = csv(lines.join('\n') + '\n');
    const a = await scanPath(path, {}, { batchSize: 7 });
    const b = await scanPath(path, {}, { batchSize: 100_000 });
    expect([...a.labels]).toEqual([...b.labels]);
    expect([...a.counts]).toEqual([...b.counts]);
    expect(a.classNames).toEqual(['p', 'q', 'r']);
    const expected = Array.from({ length: 1000 }, (_, i) => (i * 7) % 3);
    expect([...a.labels]).toEqual(expected);
    expect(a.columns[0]).toMatchObject({ kind: 'int' });
  });
});
