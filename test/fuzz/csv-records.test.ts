/**
 * Fuzz: the counting pass and the writing pass see the same records on every generated CSV, and
 * those are the records the generator wrote (test/fuzz/csv-records-gen.ts), at every read chunk
 * size: 1 byte, a few small ones and one at random. Then through the CLI (in-process, tiny read
 * chunks via REBALANCE_CSV_CHUNK_BYTES): counted rows = rows written, kept rows byte for byte.
 */
import fc from 'fast-check';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvBatches } from '../../src/io/csv-read.js';
import { parseRawRow, readRawCsvRows } from '../../src/io/csv-raw.js';
import { recordRanges } from '../../src/io/csv-ranges.js';
import { csvRecords, recordCells } from '../../src/io/csv-tokenizer.js';
import { openTable } from '../../src/dataset/cell-semantics.js';
import { scanTable } from '../../src/dataset/scan.js';
import { RebalanceError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/cli.js';
import { recordsCase } from './csv-records-gen.js';
import { fuzzRuns, runInProcess } from './harness.js';

const { dir, cleanup } = tempDir('rebalance-fuzz-records-');
afterAll(cleanup);
let caseNo = 0;

async function countingPass(path: string, delimiter: string, chunkSize: number): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const b of csvBatches(path, { delimiter, header: false, chunkSize })) rows.push(...(b.rows as string[][]));
  return rows;
}

async function writingPass(path: string, delimiter: string, chunkSize: number): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const b of readRawCsvRows(path, { delimiter, header: false, chunkSize })) for (const r of b.rows) rows.push(parseRawRow(r, delimiter) as string[]);
  return rows;
}

describe('CSV records fuzz', () => {
  it('both passes read the generated records at every chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(recordsCase, fc.integer({ min: 1, max: 300 }), async (c, randomChunk) => {
        const path = join(dir, `r-${caseNo++}.csv`);
        writeFileSync(path, c.bytes);
        try {
          // Single-byte reads cost a read call per byte: every fourth case.
          for (const size of caseNo % 4 === 0 ? [1, 2, randomChunk, 1 << 20] : [3, randomChunk, 1 << 20]) {
            const counted = await countingPass(path, c.delimiter, size);
            expect(counted, `chunk ${size}`).toEqual(c.records);
            expect(await writingPass(path, c.delimiter, size), `chunk ${size}`).toEqual(counted);
          }
        } finally {
          rmSync(path);
        }
      }),
      { seed: 20261203, numRuns: fuzzRuns(1000, 0.4) },
    );
  });

  it('quote-free files cut into record ranges (the parallel counting pass): the ranges\' records are the file\'s', async () => {
    const quoteFree = recordsCase.filter((c) => !c.bytes.includes(34));
    await fc.assert(
      fc.asyncProperty(quoteFree, fc.integer({ min: 2, max: 9 }), fc.integer({ min: 1, max: 64 }), async (c, n, chunk) => {
        const path = join(dir, `q-${caseNo++}.csv`);
        writeFileSync(path, c.bytes);
        try {
          const bounds = await recordRanges(path, c.bytes.length, n);
          expect(bounds[0]).toBe(0);
          expect(bounds.at(-1)).toBe(c.bytes.length);
          const rows: string[][] = [];
          for (let i = 0; i + 1 < bounds.length; i++) {
            for await (const recs of csvRecords(path, { delimiter: c.delimiter, start: bounds[i], end: bounds[i + 1], chunkSize: chunk })) {
              for (let r = 0; r < recs.count; r++) rows.push(recordCells(recs, r));
            }
          }
          expect(rows).toEqual(c.records);
        } finally {
          rmSync(path);
        }
      }),
      { seed: 20261204, numRuns: fuzzRuns(600, 0.4) },
    );
  });

  it('the counting pass from bytes and from cells agree on every generated file', async () => {
    await fc.assert(
      fc.asyncProperty(recordsCase, async (c) => {
        const path = join(dir, `s-${caseNo++}.csv`);
        writeFileSync(path, c.bytes);
        const run = async (bytes: boolean): Promise<unknown> => {
          const source = await openTable(path, { delimiter: c.delimiter, header: false }, {});
          try {
            const src = bytes ? source : { ...source, csv: undefined };
            const { missingError, ...p } = await scanTable(src, { label: 'col0', missing: 'keep', missingLabel: 'drop', onBadRow: 'skip', maxCategoricalFraction: 1 });
            return { ...p, missingError: missingError?.message };
          } catch (e) {
            if (e instanceof RebalanceError) return { error: e.message };
            throw e;
          } finally {
            await source.close();
          }
        };
        try {
          expect(await run(true)).toEqual(await run(false));
        } finally {
          rmSync(path);
        }
      }),
      { seed: 20261205, numRuns: fuzzRuns(400, 0.4) },
    );
  });

  it('through the CLI with tiny read chunks: every counted row is written, kept rows verbatim', async () => {
    // Tables with a numeric feature, free text and a label; blank lines, mixed endings, quotes.
    const table = recordsCase.filter((c) => c.records.length >= 1);
    const old = process.env.REBALANCE_CSV_CHUNK_BYTES;
    try {
      await fc.assert(
        fc.asyncProperty(table, fc.integer({ min: 1, max: 64 }), async (c, chunk) => {
          process.env.REBALANCE_CSV_CHUNK_BYTES = String(chunk);
          // Raw copies need the output's delimiter: ',' to .csv, tab to .tsv.
          const d = c.delimiter === '\t' ? '\t' : ',';
          const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;
          const end = ['\n', '\r\n', '\r'][caseNo % 3];
          const lines = [`id${d}text${d}label`];
          c.records.forEach((r, i) => lines.push(`${i}${d}${q(`t${r.join('|')}`)}${d}${i % 2 ? 'a' : 'b'}`));
          const n = c.records.length + 1;
          lines.push(`${n - 1}${d}${q('z')}${d}${(n - 1) % 2 ? 'a' : 'b'}`);
          const input = join(dir, `cli-${caseNo++}.csv`);
          const out = `${input}.out.${d === ',' ? 'csv' : 'tsv'}`;
          writeFileSync(input, lines.join(end) + end);
          const r = await runInProcess(['resample', input, '-m', 'random-under', '-o', out, '-q', '--seed', '1', '--delimiter', d]);
          expect(r.code, r.stderr).toBe(0);
          // Under-sampling to the smaller class writes a subsequence of the input rows, each
          // verbatim (quoted line endings included), in input order: 2 x floor(n / 2) of them.
          const written = readFileSync(out, 'utf8');
          let pos = lines[0].length + 1;
          expect(written.slice(0, pos)).toBe(lines[0] + '\n');
          let kept = 0;
          for (const row of lines.slice(1)) {
            if (written.startsWith(row + '\n', pos)) {
              pos += row.length + 1;
              kept++;
            }
          }
          expect(pos, written).toBe(written.length);
          expect(kept).toBe(2 * Math.floor(n / 2));
          rmSync(input);
          rmSync(out);
        }),
        { seed: 20261204, numRuns: fuzzRuns(150, 0.06) },
      );
    } finally {
      if (old === undefined) delete process.env.REBALANCE_CSV_CHUNK_BYTES;
      else process.env.REBALANCE_CSV_CHUNK_BYTES = old;
    }
  });
});
