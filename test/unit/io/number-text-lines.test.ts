/**
 * RowWriter.generated: generated rows handed over in blocks write the same bytes as the cells
 * path (RowWriter with a cell sink, then the CSV sink's own formatting), whether the lines come
 * from WebAssembly (io/number-text.ts GeneratedLines: plain number columns) or from JavaScript
 * (a float32 column; rows with a number of magnitude >= 1e21 inside a WebAssembly block).
 */
import fc from 'fast-check';
import { Float32, Float64, Int64, Int8, Int32, Utf8 } from 'apache-arrow';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Cell } from '../../../src/io/batch.js';
import type { SyntheticRule } from '../../../src/io/cells.js';
import { createCsvSink } from '../../../src/io/csv-write.js';
import { GeneratedLines } from '../../../src/io/number-text.js';
import type { ByteTarget } from '../../../src/io/output.js';
import { RowWriter, type GeneratedRows } from '../../../src/io/row-writer.js';
import type { RowSink, SinkColumn } from '../../../src/io/sink.js';

const root = join(import.meta.dirname, '..', '..', '..');
beforeAll(() => {
  if (!existsSync(join(root, 'src/io/wasm/dtoa-wasm.generated.ts'))) {
    execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs')], { cwd: root, stdio: 'inherit' });
  }
});

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

const classNames = ['-no', 'yes, really', '"q"', 'ünï'];
const rules: SyntheticRule[] = [
  { kind: 'label' },
  { kind: 'int', slot: 0, round: true },
  { kind: 'int', slot: 0, round: false },
  { kind: 'float', slot: 1 },
  { kind: 'bool', slot: 2 },
  { kind: 'bool', slot: 2, text: ['False', 'True'] },
  { kind: 'categorical', slot: 3, categories: ['=cmd', 'a,b', 'plain', 'é'] },
  { kind: 'categorical', slot: 3, categories: [] },
  { kind: 'empty' },
  { kind: 'float', slot: 4 },
];
const columns = (f32: boolean): SinkColumn[] => [
  { name: 'y', type: new Utf8(), text: true },
  { name: 'i', type: new Int64() },
  { name: 'i2', type: new Float64() },
  { name: 'f', type: new Float64() },
  { name: 'b', type: new Utf8() },
  { name: 'b2', type: new Utf8() },
  { name: 'cat', type: new Utf8(), text: true },
  { name: 'none', type: new Utf8(), text: true },
  { name: 'id', type: new Utf8(), text: true },
  { name: 'g', type: f32 ? new Float32() : new Float64() },
];
const provenanceColumns: SinkColumn[] = [
  { name: '_synthetic', type: new Int8() },
  { name: '_source_row', type: new Int32() },
  { name: '_neighbor_row', type: new Int32() },
];

/** Numbers the rules treat differently: halves (rounding), 0.5 (booleans), category bounds, >= 1e21, SMOTE-like. */
const numberArb = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -5, max: 5, noNaN: true }),
  fc.integer({ min: -20, max: 20 }).map((k) => k / 2),
  fc.constantFrom(0.49999999999999994, 0.5, -0.5, -0, 1e21, -1e21, 2 ** 80, 999999999999999900000, 1e-7, 5e-324),
  fc.tuple(fc.integer({ min: -300000, max: 300000 }), fc.integer({ min: -300000, max: 300000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })).map(
    ([a, b, s]) => a / 1e5 + s * (b / 1e5 - a / 1e5),
  ),
);
const rowArb = fc.tuple(fc.array(numberArb, { minLength: 5, maxLength: 5 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: -1, max: 2 ** 31 - 1 }), fc.integer({ min: -1, max: 99 }));
type Row = [number[], number, number, number];

function blockOf(rows: readonly Row[]): GeneratedRows {
  return {
    count: rows.length,
    width: 5,
    labels: Int32Array.from(rows, (r) => r[1]),
    fill(out, from, n) {
      for (let r = 0; r < n; r++) out.set(rows[from + r][0], r * 5);
    },
    source: (i) => rows[i][2],
    neighbor: (i) => rows[i][3],
  };
}

/** The bytes of the cells path: RowWriter on a cell sink, then each row through the CSV sink. */
async function reference(rows: readonly Row[], sinkCols: SinkColumn[], options: { delimiter: string; safeCsv: boolean }, provenance: boolean): Promise<string> {
  const cells: Cell[][] = [];
  const cellSink: RowSink = { write: async (c) => void cells.push([...c]), finish: async () => undefined, abort: async () => undefined };
  const w = new RowWriter(cellSink, { classNames, provenance, synthetic: rules });
  for (const [values, code, src, nb] of rows) await w.synthetic(values, code, src, nb);
  const t = memoryTarget();
  const ref = createCsvSink(t, sinkCols, options);
  for (const c of cells) await ref.write(c);
  await ref.finish();
  return t.text();
}

afterEach(() => vi.restoreAllMocks());

describe('RowWriter.generated', () => {
  it.each([
    [',', false, false, false],
    [',', true, true, false],
    ['\t', false, true, false],
    [';', true, false, false],
    [',', false, true, true],
  ])('writes the bytes of the cells path (delimiter %j, safe %s, provenance %s, float32 column %s)', async (delimiter, safeCsv, provenance, f32) => {
    const format = vi.spyOn(GeneratedLines.prototype, 'format');
    const sinkCols = provenance ? [...columns(f32), ...provenanceColumns] : columns(f32);
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 30 }), async (rows) => {
        const t = memoryTarget();
        const csv = createCsvSink(t, sinkCols, { delimiter, safeCsv });
        const w = new RowWriter(csv, { classNames, provenance, synthetic: rules });
        await w.generated(blockOf(rows as Row[]));
        await csv.finish();
        expect(t.text()).toBe(await reference(rows as Row[], sinkCols, { delimiter, safeCsv }, provenance));
        expect({ rows: w.rows, added: w.syntheticRows }).toEqual({ rows: rows.length, added: rows.length });
        const counts = [0, 0, 0, 0];
        for (const r of rows) counts[r[1]]++;
        expect(Array.from(w.classCounts)).toEqual(counts);
      }),
      { numRuns: 60 },
    );
    // Plain number columns go through WebAssembly; a float32 column keeps JavaScript's lines.
    expect(format.mock.calls.length > 0).toBe(!f32);
  });

  it('spans blocks: many rows, progress after each block, a row of 1e21 inside a block', async () => {
    const rows: Row[] = [];
    for (let i = 0; i < 20000; i++) rows.push([[i / 7, -i / 3, (i % 3) / 2, i % 6, i === 12345 ? 1e21 : i * 1e-9], i % 4, i, i % 5 === 0 ? -1 : i + 1]);
    const t = memoryTarget();
    const sinkCols = [...columns(false), ...provenanceColumns];
    const csv = createCsvSink(t, sinkCols);
    const w = new RowWriter(csv, { classNames, provenance: true, synthetic: rules });
    const seen: number[] = [];
    await w.generated(blockOf(rows), (n) => seen.push(n));
    await csv.finish();
    expect(t.text()).toBe(await reference(rows, sinkCols, { delimiter: ',', safeCsv: false }, true));
    expect(t.text()).toContain(',1000000000000000000000,');
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toBe(rows.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('a fill that throws stops before any row of its block is written', async () => {
    const t = memoryTarget();
    const csv = createCsvSink(t, columns(false));
    const w = new RowWriter(csv, { classNames, provenance: false, synthetic: rules });
    const block: GeneratedRows = { ...blockOf([[[1, 2, 3, 4, 5], 0, 0, 0]]), fill: () => { throw new RangeError('no'); } };
    await expect(w.generated(block)).rejects.toThrow('no');
    expect(w.rows).toBe(0);
  });
});
