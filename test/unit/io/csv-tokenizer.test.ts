/**
 * The one CSV tokenizer (src/io/csv-tokenizer.ts): line endings in any mix, BOM only at the
 * start, blank lines (empty or spaces / tabs only) versus lines of other Unicode spaces, quoting
 * rules, records across read chunks at every offset, the record size limit; and the two readers
 * built on it (csvBatches for cells, readRawCsvRows + parseRawRow for verbatim rows) agree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, RebalanceError } from '../../../src/core/errors.js';
import { csvBatches } from '../../../src/io/csv-read.js';
import { parseRawRow, readRawCsvRows } from '../../../src/io/csv-raw.js';
import { csvRecords, recordCells } from '../../../src/io/csv-tokenizer.js';
import { tempDir } from '../../helpers/cli.js';

const { dir, cleanup } = tempDir('rebalance-csv-tokenizer-');
afterAll(cleanup);
let fileNo = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `t-${fileNo++}.csv`);
  writeFileSync(p, content);
  return p;
}

/** Every record's cells through the counting pass's reader (header: false). */
async function cells(path: string, delimiter = ',', chunkSize?: number): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const b of csvBatches(path, { delimiter, header: false, chunkSize })) rows.push(...(b.rows as string[][]));
  return rows;
}

/** Every record through the writing pass: raw bytes, parsed back into cells. */
async function rawCells(path: string, delimiter = ',', chunkSize?: number): Promise<{ raw: string[]; cells: string[][] }> {
  const raw: string[] = [];
  const out: string[][] = [];
  for await (const b of readRawCsvRows(path, { delimiter, header: false, chunkSize })) {
    for (const r of b.rows) {
      raw.push(r.toString('utf8'));
      out.push(parseRawRow(r, delimiter) as string[]);
    }
  }
  return { raw, cells: out };
}

async function failure(p: Promise<unknown>): Promise<RebalanceError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RebalanceError);
  return e as RebalanceError;
}

describe('CSV records', () => {
  it('\\n, \\r\\n and lone \\r end records in any mix (as pandas reads them); \\r\\r is a blank line', async () => {
    const want = [['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6'], ['7', '8']];
    for (const text of ['a,b\r1,2\r3,4\n5,6\n\r\r7,8\n', 'a,b\r\n1,2\n3,4\r5,6\r\n7,8', 'a,b\n1,2\r\r3,4\r\n\r\n5,6\r7,8\r']) {
      const p = file(text);
      expect(await cells(p), JSON.stringify(text)).toEqual(want);
      expect((await rawCells(p)).cells).toEqual(want);
    }
  });

  it('a BOM is stripped only at the start of the file; elsewhere its bytes are data', async () => {
    const p = file('\ufeffa,b\n1,2\n\ufeff3,4\n\ufeff\n');
    expect(await cells(p)).toEqual([['a', 'b'], ['1', '2'], ['\ufeff3', '4'], ['\ufeff']]);
    expect((await rawCells(p)).raw).toEqual(['a,b', '1,2', '\ufeff3,4', '\ufeff']);
  });

  it('blank lines are empty or spaces / tabs only; lines of other Unicode spaces are records', async () => {
    const spaces = ['\u00a0', '\u2000', '\u2005', '\u200a', '\u3000', '\u1680', '\u202f', '\u205f', '\f', '\v', '\u0085', '\u2028'];
    const text = 'a,b\n \t \n' + spaces.map((s) => `${s}\n1,2\n`).join('') + '\t\n';
    const p = file(text);
    const want = [['a', 'b'], ...spaces.flatMap((s) => [[s], ['1', '2']])];
    expect(await cells(p)).toEqual(want);
    expect((await rawCells(p)).cells).toEqual(want);
  });

  it('in a TSV a line of bare tabs is a record of empty fields, not a blank line', async () => {
    const p = file('a\tlabel\n1\tx\n\t\n2\ty\n \n');
    expect(await cells(p, '\t')).toEqual([['a', 'label'], ['1', 'x'], ['', ''], ['2', 'y']]);
    expect((await rawCells(p, '\t')).cells).toEqual([['a', 'label'], ['1', 'x'], ['', ''], ['2', 'y']]);
  });

  it('quoted fields: delimiters, "" and line endings inside; spaces after the closing quote; "" alone is a record', async () => {
    const p = file('a,b\n"x,\r\ny ""q""","\r"\n"" \n"p"  ,q"r\n');
    const want = [['a', 'b'], ['x,\r\ny "q"', '\r'], [''], ['p', 'q"r']];
    expect(await cells(p)).toEqual(want);
    expect((await rawCells(p)).cells).toEqual(want);
  });

  it('a stray quote after a closing quote and an unterminated quote are one-line data errors with the data row', async () => {
    const stray = await failure(cells(file('a,b\n1,2\n"x"y,3\n')));
    expect(stray).toBeInstanceOf(DataError);
    expect(stray.code).toBe('REBALANCE_CSV_QUOTES');
    expect(stray.message).toMatch(/stray quote .*row 3/);
    const open = await failure(cells(file('a,b\n1,2\n3,"x\n4,5\n')));
    expect(open.code).toBe('REBALANCE_CSV_QUOTES');
    expect(open.message).toMatch(/unterminated quoted field/);
    expect((await failure(rawCells(file('a,b\n1,"2\n')))).code).toBe('REBALANCE_CSV_QUOTES');
  });

  it('records spanning read chunks: the same records at every chunk size from 1 byte up', async () => {
    const text = '\ufeffid,"te\r\nxt",label\r\n1,"a ""b"", c\nd",x\r2,,y\n\n \n"",\u00a0,\r\n3,"\r",z\r\n"4"  ,"é漢👍",w';
    const p = file(text);
    const whole = await cells(p);
    expect(whole).toEqual([
      ['id', 'te\r\nxt', 'label'],
      ['1', 'a "b", c\nd', 'x'],
      ['2', '', 'y'],
      ['', '\u00a0', ''],
      ['3', '\r', 'z'],
      ['4', 'é漢👍', 'w'],
    ]);
    const bytes = Buffer.byteLength(text);
    for (let size = 1; size <= bytes + 1; size++) {
      expect(await cells(p, ',', size), `chunk ${size}`).toEqual(whole);
      expect((await rawCells(p, ',', size)).cells, `chunk ${size}`).toEqual(whole);
    }
  });

  it('REBALANCE_CSV_CHUNK_BYTES sets the read chunk (tests drive the CLI with tiny chunks)', async () => {
    const p = file('a,b\n1,"' + 'x'.repeat(50) + '"\n');
    const sizes: number[] = [];
    const old = process.env.REBALANCE_CSV_CHUNK_BYTES;
    process.env.REBALANCE_CSV_CHUNK_BYTES = '7';
    try {
      // A record of 55 bytes read 7 bytes at a time completes in one batch; the header in another.
      for await (const recs of csvRecords(p, { delimiter: ',' })) sizes.push(recs.buf.length);
    } finally {
      if (old === undefined) delete process.env.REBALANCE_CSV_CHUNK_BYTES;
      else process.env.REBALANCE_CSV_CHUNK_BYTES = old;
    }
    expect(Math.min(...sizes)).toBeLessThanOrEqual(7);
  });

  it('a record over the record limit is REBALANCE_FIELD_TOO_LARGE, one line', async () => {
    const p = file('a,b\n1,"' + 'x'.repeat(5000) + '"\n');
    const e = await failure(
      (async () => {
        for await (const r of csvRecords(p, { delimiter: ',', chunkSize: 256, maxRecordBytes: 1000 })) recordCells(r, 0);
      })(),
    );
    expect(e.code).toBe('REBALANCE_FIELD_TOO_LARGE');
    expect(e.message).not.toContain('\n');
    // Under the limit the same record reads whole.
    expect((await cells(p, ',', 256))[1][1]).toHaveLength(5000);
  });

  it('invalid UTF-8 names the byte offset, also when the bad byte is in a later chunk', async () => {
    const p = file(Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
    const e = await failure(cells(p, ',', 4));
    expect(e.code).toBe('REBALANCE_BAD_UTF8');
    expect(e.message).toContain('near byte 10');
  });
});
