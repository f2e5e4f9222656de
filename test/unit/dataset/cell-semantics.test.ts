/**
 * What cells mean (dataset/cell-semantics.ts) and the column-role rules of the counting pass
 * (scan.ts): NA spellings, decimal commas, id-like names, xsv column specs, label values, Arrow
 * dates, missing values kept for the random samplers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateDay, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { detectDecimalComma, openTable, PANDAS_NA_VALUES, type CellSemantics } from '../../../src/dataset/cell-semantics.js';
import { looksLikeIdName, MAX_CLASSES, resolveColumnSpecs, scanTable, type ScanOptions, type TableProfile } from '../../../src/dataset/scan.js';
import type { ReadOptions } from '../../../src/io/source.js';
import type { Cell } from '../../../src/io/batch.js';
import { tempDir } from '../../helpers/cli.js';

const { dir, cleanup } = tempDir('rebalance-cells-test-');
afterAll(cleanup);

let n = 0;
function write(content: string | Uint8Array, ext = 'csv'): string {
  const p = join(dir, `t${n++}.${ext}`);
  writeFileSync(p, content);
  return p;
}

async function cells(path: string, semantics: CellSemantics = {}, read: ReadOptions = {}): Promise<Cell[][]> {
  const src = await openTable(path, read, semantics);
  try {
    const rows: Cell[][] = [];
    for await (const b of src.batches()) rows.push(...b.rows);
    return rows;
  } finally {
    await src.close();
  }
}

async function scan(path: string, options: ScanOptions = {}): Promise<TableProfile> {
  const src = await openTable(path, {}, options);
  try {
    return await scanTable(src, options);
  } finally {
    await src.close();
  }
}

describe('missing-value spellings', () => {
  it("pandas' default set becomes the empty cell; other text is untouched", async () => {
    const p = write(['a,label', ...PANDAS_NA_VALUES.filter((s) => s !== '').map((s) => `${s},x`), 'NAN,x', 'n/a2,x', '1.5,x'].join('\n') + '\n');
    const got = (await cells(p)).map((r) => r[0]);
    expect(got.slice(0, PANDAS_NA_VALUES.length - 1).every((v) => v === '')).toBe(true);
    expect(got.slice(-3)).toEqual(['NAN', 'n/a2', '1.5']);
  });

  it("a list replaces the set; [''] keeps only empty cells missing", async () => {
    const p = write('a,label\nNA,x\n-,x\n?,x\n');
    expect((await cells(p, { naValues: ['', '-', '?'] })).map((r) => r[0])).toEqual(['NA', '', '']);
    expect((await cells(p, { naValues: [''] })).map((r) => r[0])).toEqual(['NA', '-', '?']);
  });
});

describe('decimal commas', () => {
  it('detected only when some cells have a decimal comma and none a decimal point', () => {
    expect(detectDecimalComma([['1,5', 'a'], ['-0,25', '3']])).toBe(true);
    expect(detectDecimalComma([['1,5', '2.5']])).toBe(false);
    expect(detectDecimalComma([['1', 'x,y']])).toBe(false);
  });

  it("read as numbers with ';' (auto, with a notice) or with --decimal ,", async () => {
    const p = write('x;y;label\n1,5;2;a\n-0,25;3;b\n');
    const notes: string[] = [];
    expect((await cells(p, { onNotice: (m) => notes.push(m) })).map((r) => r[0])).toEqual(['1.5', '-0.25']);
    expect(notes).toEqual([expect.stringMatching(/decimal comma/)]);
    expect((await cells(p, { decimal: '.' })).map((r) => r[0])).toEqual(['1,5', '-0,25']);
    const q = write('x|label\n1,5|a\n2,0|b\n');
    expect((await cells(q, { decimal: ',' }, { delimiter: '|' })).map((r) => r[0])).toEqual(['1.5', '2.0']);
  });
});

describe('column roles', () => {
  it.each([
    ['id', true], ['ID', true], ['customer_id', true], ['Customer-ID', true], ['customerId', true], ['userID', true],
    ['uuid', true], ['key', true], ['row.key', true],
    ['malic_acid', false], ['paid', false], ['valid', false], ['android', false], ['keyboard', false], ['idle', false],
  ])('looksLikeIdName(%s) = %s', (name, want) => expect(looksLikeIdName(name)).toBe(want));

  it('xsv column specs: names, 1-based indices and ranges, open ranges', () => {
    const names = ['a', 'b', 'c', 'd', 'label'];
    expect(resolveColumnSpecs(['1-2', 'label'], names, '--select')).toEqual(['a', 'b', 'label']);
    expect(resolveColumnSpecs(['3', '4-'], names, '--select')).toEqual(['c', 'd', 'label']);
    expect(resolveColumnSpecs(['-2'], names, '--select')).toEqual(['a', 'b']);
    expect(() => resolveColumnSpecs(['0'], names, '--select')).toThrow(/outside 1-5/);
    expect(() => resolveColumnSpecs(['zz'], names, '--exclude')).toThrow(/--exclude: unknown column 'zz'/);
  });

  it('an Arrow Date32 column is carried through, not a feature', async () => {
    const t = new Table({
      day: vectorFromArray([new Date(Date.UTC(2024, 0, 1)), new Date(Date.UTC(2024, 0, 2)), new Date(Date.UTC(2024, 0, 3))], new DateDay()),
      x: vectorFromArray(Float64Array.from([1, 2, 3])),
      label: vectorFromArray(['a', 'b', 'a']),
    });
    const p = await scan(write(tableToIPC(t, 'file'), 'arrow'));
    expect(p.columns.map((c) => [c.name, c.role])).toEqual([['day', 'passthrough'], ['x', 'feature'], ['label', 'label']]);
  });

  it('id and date columns tell onNotice once each; --features overrides', async () => {
    const lines = ['order_id,when,v,label', ...Array.from({ length: 6 }, (_, i) => `${i + 10},2024-02-0${i + 1}T10:00:00Z,${i % 3},${i % 2 ? 'a' : 'b'}`)];
    const path = write(lines.join('\n') + '\n');
    const notes: string[] = [];
    const p = await scan(path, { onNotice: (m) => notes.push(m) });
    expect(p.columns.map((c) => c.role)).toEqual(['passthrough', 'passthrough', 'feature', 'label']);
    expect(notes).toHaveLength(2);
    const forced = await scan(path, { features: ['order_id'] });
    expect(forced.columns[0]).toMatchObject({ role: 'feature', kind: 'int' });
  });
});

describe('label values', () => {
  it("numbers are one class by value, named by the first spelling ('1.0' then '1')", async () => {
    const p = await scan(write('x,label\n1,1.0\n2,0\n3,1\n4,1e0\n5,00\n'));
    expect(p.classNames).toEqual(['0', '1.0']);
    expect([...p.counts]).toEqual([2, 3]);
  });

  it(`more than ${MAX_CLASSES} distinct labels, or fractional ones, are a continuous-label error`, async () => {
    const many = ['x,label', ...Array.from({ length: MAX_CLASSES + 1 }, (_, i) => `${i},c${i}`)];
    await expect(scan(write(many.join('\n') + '\n'))).rejects.toMatchObject({ code: 'REBALANCE_CONTINUOUS_LABEL' });
    await expect(scan(write('x,label\n1,0.5\n2,1\n'))).rejects.toMatchObject({ code: 'REBALANCE_CONTINUOUS_LABEL' });
  });
});

describe("missing 'keep'", () => {
  it('keeps rows with missing features and holds the error the methods that read features raise', async () => {
    const p = await scan(write('x,label\n1,a\nNA,b\n3,a\n'), { missing: 'keep' });
    expect(p.nRows).toBe(3);
    expect(p.columns[0]).toMatchObject({ kind: 'int', missing: 1 });
    expect(p.missingError).toMatchObject({ code: 'REBALANCE_MISSING', where: { row: 2, column: 'x' } });
  });

  it("a missing label still fails, unless missingLabel is 'drop'", async () => {
    const path = write('x,label\n1,a\n2,\n3,b\n4,null\n');
    await expect(scan(path, { missing: 'keep' })).rejects.toThrow(/2 rows have an empty label in column 'label' \(first: data row 2\)/);
    const p = await scan(path, { missing: 'keep', missingLabel: 'drop' });
    expect(p.nRows).toBe(2);
    expect(p.droppedMissing).toBe(2);
  });
});
