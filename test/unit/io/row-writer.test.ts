/**
 * io/row-writer.ts and the synthetic-cell rules of io/cells.ts: the CSV fast paths (raw bytes,
 * cached copies, one formatted line per generated row) write the same text as the cells path;
 * provenance columns; which inputs can be copied as bytes.
 */
import fc from 'fast-check';
import { Float32, Float64, Int64, Int8, Int32, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../../src/io/batch.js';
import { syntheticCells, syntheticColumns, type SyntheticRule } from '../../../src/io/cells.js';
import { createCsvSink } from '../../../src/io/csv-write.js';
import type { ByteTarget } from '../../../src/io/output.js';
import { parseRawRow } from '../../../src/io/csv-raw.js';
import { holdRow, rawCopyPossible, RowWriter, type PassRow } from '../../../src/io/row-writer.js';
import type { RowSink, SinkColumn } from '../../../src/io/sink.js';

function memoryTarget(): ByteTarget & { text: () => string } {
  const chunks: Buffer[] = [];
  return {
    name: '<memory>',
    write: async (c) => void chunks.push(Buffer.from(c)),
    commit: async () => undefined,
    abort: async () => undefined,
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

/** A sink that keeps the cells it is given. */
function cellSink(): RowSink & { rows: Cell[][] } {
  const rows: Cell[][] = [];
  return { rows, write: async (c) => void rows.push([...c]), finish: async () => undefined, abort: async () => undefined };
}

const classNames = ['-no', 'yes, really', '"q"'];
const rules: SyntheticRule[] = [
  { kind: 'label' },
  { kind: 'int', slot: 0, round: true },
  { kind: 'int', slot: 0, round: false },
  { kind: 'float', slot: 1 },
  { kind: 'float', slot: 1 },
  { kind: 'bool', slot: 2 },
  { kind: 'bool', slot: 2, text: ['False', 'True'] },
  { kind: 'categorical', slot: 3, categories: ['=cmd', 'a,b', 'plain'] },
  { kind: 'categorical', slot: 3, categories: [] },
  { kind: 'empty' },
];
const columns: SinkColumn[] = [
  { name: 'y', type: new Utf8(), text: true },
  { name: 'i', type: new Int64() },
  { name: 'i2', type: new Float64() },
  { name: 'f', type: new Float64() },
  { name: 'f32', type: new Float32() },
  { name: 'b', type: new Utf8() },
  { name: 'b2', type: new Utf8() },
  { name: 'cat', type: new Utf8(), text: true },
  { name: 'none', type: new Utf8(), text: true },
  { name: 'id', type: new Utf8(), text: true },
];
const provenanceColumns: SinkColumn[] = [
  { name: '_synthetic', type: new Int8() },
  { name: '_source_row', type: new Int32() },
  { name: '_neighbor_row', type: new Int32() },
];

const valuesArb = fc.tuple(
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.oneof(fc.double({ min: -1e30, max: 1e30, noNaN: true }), fc.float({ noNaN: true, noDefaultInfinity: true }).map(Math.fround)),
  fc.double({ min: -1, max: 2, noNaN: true }),
  fc.double({ min: -3, max: 5, noNaN: true }),
);

describe('synthetic cells', () => {
  it('follow the rule of each column', () => {
    const cols = syntheticColumns(rules, classNames);
    expect(syntheticCells(cols, [2.5, 0.25, 0.5, 1.6], 1)).toEqual(['yes, really', 3, 2.5, 0.25, 0.25, true, 'True', 'plain', null, null]);
    expect(syntheticCells(cols, [-0.4, -1, 0.49, -7], 0)).toEqual(['-no', 0, -0.4, -1, -1, false, 'False', '=cmd', null, null]);
    expect(Object.is(syntheticCells(cols, [-0.4, 0, 0, 0], 0)[1], 0)).toBe(true);
    expect(syntheticCells(cols, [0, 0, 0, 99], 2)[7]).toBe('plain');
  });

  it.each([
    [',', false, false],
    [',', true, true],
    ['\t', true, false],
  ])('the CSV line of a generated row is the text of its cells (delimiter %j, safe %s, provenance %s)', async (delimiter, safeCsv, provenance) => {
    const sinkCols = provenance ? [...columns, ...provenanceColumns] : columns;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(valuesArb, fc.integer({ min: 0, max: 2 }), fc.integer({ min: -1, max: 50 })), { maxLength: 20 }), async (rows) => {
        const fast = memoryTarget();
        const csv = createCsvSink(fast, sinkCols, { delimiter, safeCsv });
        const cells = cellSink();
        const w1 = new RowWriter(csv, { classNames, provenance, synthetic: rules });
        const w2 = new RowWriter(cells, { classNames, provenance, synthetic: rules });
        for (const [values, code, src] of rows) {
          await w1.synthetic(values, code, src, -1);
          await w2.synthetic(values, code, src, -1);
        }
        await csv.finish();
        const slow = memoryTarget();
        const ref = createCsvSink(slow, sinkCols, { delimiter, safeCsv });
        for (const c of cells.rows) await ref.write(c);
        await ref.finish();
        expect(fast.text()).toBe(slow.text());
        expect(w1.syntheticRows).toBe(rows.length);
        expect(Array.from(w1.classCounts)).toEqual(Array.from(w2.classCounts));
      }),
      { numRuns: 40 },
    );
  });

  it('a float32 column writes the shortest text that reads back to the same float32', async () => {
    const t = memoryTarget();
    const csv = createCsvSink(t, columns);
    await new RowWriter(csv, { classNames, provenance: false, synthetic: rules }).synthetic([0, Math.fround(0.1), 0, 0], 0, -1, -1);
    await csv.finish();
    const line = t.text().split('\n')[1].split(',');
    expect(line[3]).toBe(String(Math.fround(0.1)));
    expect(line[4]).toBe('0.1');
  });
});

describe('RowWriter', () => {
  const cols: SinkColumn[] = [
    { name: 'a', type: new Utf8(), text: true },
    { name: 'y', type: new Utf8(), text: true },
  ];
  const row = (raw: string | null, cells: Cell[]): PassRow => ({ raw: raw === null ? null : Buffer.from(raw), cells: () => cells });
  const opts = { classNames: ['n', 'p'], synthetic: [{ kind: 'empty' }, { kind: 'label' }] as SyntheticRule[] };

  it('copies raw rows byte for byte and appends provenance; copies of parsed rows are formatted once', async () => {
    const t = memoryTarget();
    const csv = createCsvSink(t, [...cols, ...provenanceColumns]);
    let parsed = 0;
    const counted: PassRow = { raw: null, cells: () => (parsed++, ['x "1"', 'p']) };
    const w = new RowWriter(csv, { ...opts, provenance: true });
    await w.original(row(' odd , bytes', ['odd', 'bytes']), 0, 0);
    await w.copy(row(' odd , bytes', ['odd', 'bytes']), 0, 0);
    await w.copy(counted, 7, 1);
    await w.copy(counted, 7, 1);
    await csv.finish();
    expect(t.text()).toBe('a,y,_synthetic,_source_row,_neighbor_row\n odd , bytes,0,0,\n odd , bytes,1,0,\n"x ""1""",p,1,7,\n"x ""1""",p,1,7,\n');
    expect(parsed).toBe(1);
    expect({ rows: w.rows, added: w.syntheticRows, counts: Array.from(w.classCounts) }).toEqual({ rows: 4, added: 3, counts: [2, 2] });
  });

  it('gives other sinks cells, with the provenance cells', async () => {
    const s = cellSink();
    const w = new RowWriter(s, { ...opts, provenance: true });
    await w.original(row('ignored', ['a', 'n']), 3, 0);
    await w.copy(row(null, ['b', 'p']), 4, 1);
    await w.synthetic([], 1, 4, 9);
    await w.synthetic([], 0, -1, -1);
    expect(s.rows).toEqual([
      ['a', 'n', 0, 3, null],
      ['b', 'p', 1, 4, null],
      [null, 'p', 1, 4, 9],
      [null, 'n', 1, null, null],
    ]);
  });

  it('holdRow keeps a row valid after its buffer is reused', () => {
    const buf = Buffer.from('a,b');
    const cells: Cell[] = ['a', 'b'];
    const held = holdRow({ raw: buf, cells: () => cells });
    const heldCells = holdRow({ raw: null, cells: () => cells });
    buf.write('z,z');
    cells[0] = 'z';
    expect(held.raw!.toString()).toBe('a,b');
    expect(heldCells.cells()).toEqual(['a', 'b']);
  });

  it("a held raw row parses its own copy, not the pass's buffer (which it must not keep alive)", () => {
    const chunk = Buffer.from('x,1\ny,2\n');
    const bytes = chunk.subarray(4, 7);
    const held = holdRow({ raw: bytes, delimiter: ',', cells: () => parseRawRow(bytes, ',') });
    chunk.fill(0x2c); // the read chunk is reused / freed: every byte becomes ','
    expect(held.raw!.toString()).toBe('y,2');
    expect(held.cells()).toEqual(['y', '2']);
  });

  it('rows are copied as bytes only for CSV in and out with the same delimiter and no --safe-csv', () => {
    const rawRows = async function* () {};
    expect(rawCopyPossible({ rawRows, delimiter: ',' }, 'csv', false)).toBe(true);
    expect(rawCopyPossible({ rawRows, delimiter: '\t' }, 'tsv', undefined)).toBe(true);
    expect(rawCopyPossible({ rawRows, delimiter: ',' }, 'tsv', false)).toBe(false);
    expect(rawCopyPossible({ rawRows, delimiter: ';' }, 'csv', false)).toBe(false);
    expect(rawCopyPossible({ rawRows, delimiter: ',' }, 'csv', true)).toBe(false);
    expect(rawCopyPossible({ rawRows, delimiter: ',' }, 'arrow', false)).toBe(false);
    expect(rawCopyPossible({ rawRows: undefined, delimiter: ',' }, 'csv', false)).toBe(false);
  });
});
