/**
 * fast-check generators of CSV inputs for the fuzz suite: a valid base table (numeric features,
 * a label with 2-3 classes) and mutations that break it in the ways real files break.
 */
import fc from 'fast-check';

export interface CsvCase {
  readonly bytes: Buffer;
  /** Mutations applied (empty: the input is valid and must succeed). */
  readonly mutations: readonly string[];
}

interface Table {
  header: string[];
  rows: string[][];
}

const numberCell = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((x) => String(x)),
);

/** A valid table: 1-5 numeric features + label; each of 2-3 classes has >= 2 rows. */
export const baseTable: fc.Arbitrary<Table> = fc
  .record({
    nFeatures: fc.integer({ min: 1, max: 5 }),
    classes: fc.constantFrom(['a', 'b'], ['pos', 'neg', 'mid'], ['0', '1']),
    counts: fc.array(fc.integer({ min: 2, max: 12 }), { minLength: 3, maxLength: 3 }),
  })
  .chain(({ nFeatures, classes, counts }) => {
    const labels: string[] = [];
    classes.forEach((c, i) => {
      for (let k = 0; k < counts[i]!; k++) labels.push(c);
    });
    return fc.tuple(fc.shuffledSubarray(labels, { minLength: labels.length, maxLength: labels.length }), fc.array(fc.array(numberCell, { minLength: nFeatures, maxLength: nFeatures }), { minLength: labels.length, maxLength: labels.length })).map(([ls, feats]) => ({
      header: [...Array.from({ length: nFeatures }, (_, j) => `f${j}`), 'label'],
      rows: feats.map((f, i) => [...f, ls[i]!]),
    }));
  });

const toText = (t: Table, eol = '\n'): string => [t.header, ...t.rows].map((r) => r.join(',')).join(eol) + eol;

type Mutation = (t: Table, r: number) => Table | Buffer | string;

/** Table-level mutations (keep the table shape, change content). r is a random integer. */
const tableMutations: Record<string, Mutation> = {
  ragged: (t, r) => {
    const rows = t.rows.map((x) => x.slice());
    const i = r % rows.length;
    if (r % 2 === 0) rows[i]!.pop();
    else rows[i]!.push('9');
    return { ...t, rows };
  },
  duplicateColumn: (t) => ({ ...t, header: t.header.map((h, j) => (j === 0 && t.header.length > 1 ? t.header[1]! : h)) }),
  emptyColumnName: (t, r) => ({ ...t, header: t.header.map((h, j) => (j === r % t.header.length ? '' : h)) }),
  oneClass: (t) => ({ ...t, rows: t.rows.map((x) => [...x.slice(0, -1), 'only']) }),
  emptyLabel: (t, r) => ({ ...t, rows: t.rows.map((x, i) => (i % 3 === r % 3 ? [...x.slice(0, -1), ''] : x)) }),
  oddNumber: (t, r) => {
    const odd = ['1e400', '-1e400', 'NaN', 'nan', '-0', '0x10', 'Infinity', '-Infinity', '', ' 1 ', '1_000', '١٢', '+5', '.5', '5.', '1e-400', '0b1', 'null', 'NA'];
    const rows = t.rows.map((x) => x.slice());
    const i = r % rows.length;
    const j = r % Math.max(1, t.header.length - 1);
    rows[i]![j] = odd[r % odd.length]!;
    return { ...t, rows };
  },
  manyColumns: (t, r) => {
    const n = 1000 + (r % 2000);
    const header = [...Array.from({ length: n }, (_, j) => `c${j}`), 'label'];
    const rows = t.rows.map((x, i) => [...Array.from({ length: n }, (_, j) => String((i * 31 + j) % 97)), x[x.length - 1]!]);
    return { header, rows };
  },
  headerOnly: (t) => ({ ...t, rows: [] }),
  noLabelColumn: (t) => ({ ...t, header: t.header.map((h) => (h === 'label' ? 'zzz' : h)) }),
};

/** Byte-level mutations of the serialized text. */
const byteMutations: Record<string, (b: Buffer, r: number) => Buffer> = {
  unterminatedQuote: (b, r) => insert(b, fieldStart(b, r), Buffer.from('"')),
  strayQuote: (b, r) => insert(b, 1 + (r % Math.max(1, b.length - 1)), Buffer.from('"')),
  mixedEol: (b, r) => Buffer.from(b.toString('latin1').replace(/\n/g, (m, off: number) => (((off + r) % 3 === 0) ? '\r\n' : (off + r) % 3 === 1 ? '\r' : m)), 'latin1'),
  bomInMiddle: (b, r) => insert(b, r % b.length, Buffer.from([0xef, 0xbb, 0xbf])),
  leadingBom: (b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]),
  nulByte: (b, r) => insert(b, r % b.length, Buffer.from([0])),
  invalidUtf8: (b, r) => insert(b, r % b.length, Buffer.from([[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80]][r % 5]!)),
  truncate: (b, r) => b.subarray(0, r % b.length),
  noFinalNewline: (b) => (b[b.length - 1] === 0x0a ? b.subarray(0, b.length - 1) : b),
  randomBytes: (b, r) => insert(b, r % b.length, Buffer.from(Array.from({ length: 1 + (r % 7) }, (_, i) => (r * 7919 + i * 104729) % 256))),
  blankLines: (b, r) => insert(b, lineStart(b, r), Buffer.from('\n\n')),
  semicolonsAndTabs: (b, r) => Buffer.from(b.toString('latin1').replace(/,/g, (m, off: number) => ((off + r) % 4 === 0 ? ';' : (off + r) % 4 === 1 ? '\t' : m)), 'latin1'),
};

function insert(b: Buffer, at: number, piece: Buffer): Buffer {
  return Buffer.concat([b.subarray(0, at), piece, b.subarray(at)]);
}
function fieldStart(b: Buffer, r: number): number {
  const starts = [0];
  for (let i = 0; i < b.length; i++) if (b[i] === 0x2c || b[i] === 0x0a) starts.push(i + 1);
  return starts[r % starts.length]!;
}
function lineStart(b: Buffer, r: number): number {
  const starts = [0];
  for (let i = 0; i < b.length - 1; i++) if (b[i] === 0x0a) starts.push(i + 1);
  return starts[r % starts.length]!;
}

export const TABLE_MUTATIONS = Object.keys(tableMutations);
export const BYTE_MUTATIONS = Object.keys(byteMutations);

/** A CSV case: a valid table with 0-3 mutations (table-level first, then byte-level). */
export const csvCase: fc.Arbitrary<CsvCase> = fc
  .record({
    table: baseTable,
    tableMut: fc.array(fc.tuple(fc.constantFrom(...TABLE_MUTATIONS), fc.nat()), { maxLength: 2 }),
    byteMut: fc.array(fc.tuple(fc.constantFrom(...BYTE_MUTATIONS), fc.nat()), { maxLength: 2 }),
    crlf: fc.boolean(),
    empty: fc.integer({ min: 0, max: 60 }),
  })
  .map(({ table, tableMut, byteMut, crlf, empty }) => {
    if (empty === 0) return { bytes: Buffer.alloc(0), mutations: ['emptyFile'] };
    let t = table;
    for (const [name, r] of tableMut) if (t.rows.length > 0) t = tableMutations[name]!(t, r) as Table;
    let b: Buffer = Buffer.from(toText(t, crlf ? '\r\n' : '\n'), 'utf8');
    for (const [name, r] of byteMut) b = b.length === 0 ? b : byteMutations[name]!(b, r);
    return { bytes: b, mutations: [...tableMut.map(([n]) => n), ...byteMut.map(([n]) => n)] };
  });
