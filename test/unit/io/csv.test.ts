/**
 * CSV in and out: reading through openSource/csvBatches (headers, delimiters, RFC 4180 quoting,
 * line endings, BOM, blank lines, bad UTF-8, bad quotes, empty inputs), the writer (quoting,
 * number forms, --safe-csv), round trips through resample, atomic output and IO errors, all
 * in-process (a closed stdout pipe needs a real process: test/e2e/faults.test.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Float32, Float64, Int64, Utf8, tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { DataError, IoError, RebalanceError } from '../../../src/core/errors.js';
import type { Cell } from '../../../src/io/batch.js';
import { csvBatches } from '../../../src/io/csv-read.js';
import { cellText, createCsvSink, formatFloat32, formatNumber } from '../../../src/io/csv-write.js';
import { openFileTarget, type ByteTarget } from '../../../src/io/output.js';
import { openSource, type ReadOptions } from '../../../src/io/source.js';
import { scanTable } from '../../../src/dataset/scan.js';
import { runResample } from '../../../src/pipeline/resample.js';
import { tempDir } from '../../helpers/cli.js';
import { runCli } from '../../helpers/cli-in-process.js';

const { dir, cleanup } = tempDir('rebalance-csv-test-');
afterAll(cleanup);

let fileNo = 0;
/** Writes `content` to a fresh file in the temp folder. */
function file(content: string | Buffer, ext = '.csv'): string {
  const p = join(dir, `in-${fileNo++}${ext}`);
  writeFileSync(p, content);
  return p;
}

async function read(path: string, options: ReadOptions = {}): Promise<{ columns: readonly string[]; rows: Cell[][]; delimiter?: string }> {
  const src = await openSource(path, options);
  try {
    const rows: Cell[][] = [];
    for await (const b of src.batches()) rows.push(...b.rows);
    return { columns: src.columns, rows, delimiter: src.delimiter };
  } finally {
    await src.close();
  }
}

async function failure(p: Promise<unknown>): Promise<RebalanceError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RebalanceError);
  return e as RebalanceError;
}

/** A ByteTarget in memory, to test sinks without the file system. */
function memoryTarget(): ByteTarget & { text: () => string; committed: boolean; aborted: boolean } {
  const chunks: Buffer[] = [];
  const t = {
    name: '<memory>',
    committed: false,
    aborted: false,
    async write(c: string | Uint8Array) {
      chunks.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c));
    },
    async commit() {
      t.committed = true;
    },
    async abort() {
      t.aborted = true;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
  return t;
}

describe('CSV reading', () => {
  it('header row names the columns; --no-header names them col0, col1, ...', async () => {
    const p = file('a,b,label\n1,2,x\n3,4,y\n');
    expect(await read(p)).toMatchObject({ columns: ['a', 'b', 'label'], rows: [['1', '2', 'x'], ['3', '4', 'y']] });
    const n = await read(p, { header: false });
    expect(n.columns).toEqual(['col0', 'col1', 'col2']);
    expect(n.rows).toEqual([['a', 'b', 'label'], ['1', '2', 'x'], ['3', '4', 'y']]);
  });

  for (const [name, d] of [
    ['comma', ','],
    ['tab', '\t'],
    ['semicolon', ';'],
    ['pipe', '|'],
  ] as const) {
    it(`auto-detects the ${name} delimiter, and takes it explicitly`, async () => {
      // Decimal commas with ';' (a European export) must not confuse detection.
      const other = d === ';' ? '1,5' : '1.5';
      const text = ['x', 'y', 'label'].join(d) + '\n' + ['1', other, 'a'].join(d) + '\n' + ['2', '3', 'b'].join(d) + '\n';
      const p = file(text);
      const auto = await read(p);
      expect(auto.delimiter).toBe(d);
      expect(auto.columns).toEqual(['x', 'y', 'label']);
      expect(auto.rows).toEqual([['1', other, 'a'], ['2', '3', 'b']]);
      expect(await read(p, { delimiter: d })).toMatchObject({ delimiter: d, rows: auto.rows });
    });
  }

  it('.tsv files default to tab even when commas are frequent', async () => {
    const p = file('x\tnote\tlabel\n1\ta,b,c,d\tp\n2\te,f,g,h\tq\n', '.tsv');
    expect(await read(p)).toMatchObject({ delimiter: '\t', columns: ['x', 'note', 'label'], rows: [['1', 'a,b,c,d', 'p'], ['2', 'e,f,g,h', 'q']] });
  });

  it('an explicit delimiter wins over detection', async () => {
    const p = file('a;b,c\n1;2,3\n');
    expect((await read(p, { delimiter: ',' })).columns).toEqual(['a;b', 'c']);
    expect((await read(p, { delimiter: ';' })).columns).toEqual(['a', 'b,c']);
  });

  it('RFC 4180: embedded delimiters, doubled quotes and newlines inside quotes', async () => {
    const p = file('id,text,label\n1,"a, b",x\n2,"say ""hi""",y\n3,"line1\nline2\r\nline3",x\n4,"",y\n');
    const r = await read(p);
    expect(r.rows).toEqual([
      ['1', 'a, b', 'x'],
      ['2', 'say "hi"', 'y'],
      ['3', 'line1\nline2\r\nline3', 'x'],
      ['4', '', 'y'],
    ]);
  });

  it('CRLF line endings give the same rows as LF (no stray \\r in cells)', async () => {
    const lf = await read(file('a,b,label\n1,2,x\n3,4,y\n5,6,x\n'));
    const crlf = await read(file('a,b,label\r\n1,2,x\r\n3,4,y\r\n5,6,x\r\n'));
    expect(crlf).toEqual(lf);
  });

  // One tokenizer (src/io/csv-tokenizer.ts) ends records at '\n', '\r\n' and lone '\r' in any mix.
  it('mixed line endings (CRLF first, then LF; LF first, then CRLF) give the same rows', async () => {
    const lf = await read(file('a,b,label\n1,2,x\n3,4,y\n5,6,x\n'));
    const crlfFirst = await read(file('a,b,label\r\n1,2,x\n3,4,y\r\n5,6,x'));
    const lfFirst = await read(file('a,b,label\n1,2,x\r\n3,4,y\n5,6,x\r\n'));
    expect(crlfFirst.columns).toEqual(lf.columns);
    expect(crlfFirst.rows).toEqual(lf.rows);
    expect(lfFirst.columns).toEqual(lf.columns);
    expect(lfFirst.rows).toEqual(lf.rows);
  });

  it('a UTF-8 BOM is stripped from the first column name', async () => {
    const p = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,label\n1,x\n2,y\n')]));
    const r = await read(p);
    expect(r.columns).toEqual(['id', 'label']);
    expect(r.columns[0].charCodeAt(0)).toBe(0x69);
  });

  it('blank and whitespace-only lines are skipped, rows and offsets stay dense', async () => {
    const p = file('a,label\n\n1,x\n   \n2,y\n\n\n3,x\n\n');
    const r = await read(p);
    expect(r.rows).toEqual([['1', 'x'], ['2', 'y'], ['3', 'x']]);
    const src = await openSource(p, { batchSize: 2 });
    try {
      const offsets: number[] = [];
      for await (const b of src.batches()) offsets.push(b.offset);
      expect(offsets).toEqual([0, 2]);
    } finally {
      await src.close();
    }
  });

  it('non-ASCII text (multi-byte characters across read chunks) survives intact', async () => {
    // > 1 MiB so the decoder sees characters split across stream chunks.
    const cell = 'żółć漢字👍'.repeat(4000);
    const lines = ['t,label'];
    for (let i = 0; i < 12; i++) lines.push(`${cell}${i},${i % 2}`);
    const r = await read(file(lines.join('\n') + '\n'));
    expect(r.rows).toHaveLength(12);
    r.rows.forEach((row, i) => expect(row[0]).toBe(`${cell}${i}`));
  });

  it('invalid UTF-8 is a DataError REBALANCE_BAD_UTF8 (middle and end of the file)', async () => {
    const mid = file(Buffer.concat([Buffer.from('a,label\n1,'), Buffer.from([0xff, 0xfe]), Buffer.from('x\n2,y\n')]));
    const e1 = await failure(read(mid));
    expect(e1).toBeInstanceOf(DataError);
    expect(e1.code).toBe('REBALANCE_BAD_UTF8');
    expect(e1.message).toMatch(/UTF-8/);
    // A truncated multi-byte sequence at the very end.
    const end = file(Buffer.concat([Buffer.from('a,label\n1,x\n2,'), Buffer.from([0xe2, 0x82])]));
    expect((await failure(read(end))).code).toBe('REBALANCE_BAD_UTF8');
  });

  it('an unterminated quote is a DataError REBALANCE_CSV_QUOTES with its row', async () => {
    const p = file('a,label\n1,x\n2,"y\n3,z\n');
    const e = await failure(read(p));
    expect(e).toBeInstanceOf(DataError);
    expect(e.code).toBe('REBALANCE_CSV_QUOTES');
    expect(e.message).toMatch(/unterminated quoted field/);
    expect(e.where?.row).toBeGreaterThanOrEqual(1);
  });

  it('an empty file is REBALANCE_EMPTY; a header-only file has no data rows', async () => {
    const empty = await failure(openSource(file('')));
    expect(empty).toBeInstanceOf(DataError);
    expect(empty.code).toBe('REBALANCE_EMPTY');
    const blank = await failure(openSource(file('\n\n')));
    expect(blank.code).toBe('REBALANCE_EMPTY');
    const src = await openSource(file('a,b,label\n'));
    try {
      expect(src.columns).toEqual(['a', 'b', 'label']);
      const e = await failure(scanTable(src));
      expect(e).toBeInstanceOf(DataError);
      expect(e.code).toBe('REBALANCE_NO_ROWS');
    } finally {
      await src.close();
    }
  });

  it('csvBatches yields the header once, then data rows with running offsets', async () => {
    const p = file('a,label\n' + Array.from({ length: 50 }, (_, i) => `${i},${i % 2}`).join('\n') + '\n');
    const got: { offset: number; n: number; header?: string[] }[] = [];
    for await (const b of csvBatches(p, { header: true })) got.push({ offset: b.offset, n: b.rows.length, header: b.header });
    expect(got[0].header).toEqual(['a', 'label']);
    expect(got.slice(1).every((g) => g.header === undefined)).toBe(true);
    expect(got.reduce((s, g) => s + g.n, 0)).toBe(50);
    let off = 0;
    for (const g of got) {
      expect(g.offset).toBe(off);
      off += g.n;
    }
  });
});

describe('CSV writing', () => {
  it('numbers: shortest round-trip, integers never scientific, -0 is 0', () => {
    expect(formatNumber(0.1)).toBe('0.1');
    expect(formatNumber(1 / 3)).toBe(String(1 / 3));
    expect(Number(formatNumber(1 / 3))).toBe(1 / 3);
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(123456789)).toBe('123456789');
    expect(formatNumber(1e20)).toBe('100000000000000000000');
    expect(formatNumber(1e21)).toBe('1000000000000000000000');
    expect(formatNumber(-1e22)).toBe('-10000000000000000000000');
    expect(formatNumber(2 ** 70)).toBe((2n ** 70n).toString());
    expect(formatNumber(1.5e-7)).toBe('1.5e-7');
    // Every integer-valued double prints as digits, however large.
    expect(formatNumber(1e301)).toBe(BigInt(1e301).toString());
    expect(BigInt(formatNumber(1e301))).toBe(BigInt(1e301));
    expect(cellText(NaN)).toBe('NaN');
    expect(cellText(12345678901234567890n)).toBe('12345678901234567890');
    expect(cellText(true)).toBe('true');
    expect(cellText(null)).toBe('');
  });

  it('float32 values get the shortest text that reads back to the same float32', () => {
    for (const x of [0.1, 3.14159, 1e-7, 123456.7, -2.5, 16777216, 0.3, 1 / 3, 1e30]) {
      const f = Math.fround(x);
      const s = formatFloat32(f);
      expect(Math.fround(Number(s)), `${x} -> ${s}`).toBe(f);
      if (Number.isInteger(f)) {
        // Integer-valued float32 values print as exact digits (the integer rule wins).
        expect(s).toBe(BigInt(f).toString());
        continue;
      }
      // Shortest: one digit fewer does not round-trip.
      const digits = s.replace(/^-|e.*$|\./g, '').replace(/^0+/, '').length;
      if (digits > 1) expect(Math.fround(Number(f.toPrecision(digits - 1)))).not.toBe(f);
    }
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(-0)).toBe('0');
    expect(formatFloat32(Math.fround(1e21))).toBe('1000000020040877342720');
  });

  it('quotes only cells that need it, doubling embedded quotes; strings pass through', async () => {
    const t = memoryTarget();
    const sink = createCsvSink(t, [{ name: 'id' }, { name: 'te,xt', text: true }, { name: 'f', type: new Float32() }, { name: 'label' }]);
    await sink.write(['1', 'plain', Math.fround(0.1), 'a']);
    await sink.write(['2', 'a,b', 2.5, 'b']);
    await sink.write(['3', 'say "hi"', -0, 'a']);
    await sink.write(['4', 'two\nlines', 1e21, 'b']);
    await sink.write(['5', 'cr\rhere', null, 'a']);
    await sink.write(['06', ' spaced ', 1, 'b']);
    await sink.finish();
    expect(t.committed).toBe(true);
    expect(t.text()).toBe(
      'id,"te,xt",f,label\n1,plain,0.1,a\n2,"a,b",2.5,b\n3,"say ""hi""",0,a\n4,"two\nlines",1000000000000000000000,b\n5,"cr\rhere",,a\n06, spaced ,1,b\n',
    );
  });

  it('quoting follows the output delimiter (tab)', async () => {
    const t = memoryTarget();
    const sink = createCsvSink(t, [{ name: 'a' }, { name: 'b' }], { delimiter: '\t' });
    await sink.write(['x,y', 'p\tq']);
    await sink.finish();
    expect(t.text()).toBe('a\tb\nx,y\t"p\tq"\n');
  });

  it('--safe-csv neutralises =, +, -, @ prefixes in text columns only', async () => {
    const t = memoryTarget();
    const cols = [{ name: 'n', type: new Float64() }, { name: 'txt', type: new Utf8(), text: true }, { name: 'label', type: new Int64() }];
    const sink = createCsvSink(t, cols, { safeCsv: true });
    for (const [n, s] of [
      [-5, '=SUM(A1:A2)'],
      [-0.5, '+1'],
      [1, '-2'],
      [2, '@cmd'],
      ['-7', 'safe'],
      [3, 'a=b'],
    ] as const) {
      await sink.write([n, s, '-1']);
    }
    await sink.finish();
    expect(t.text().split('\n').slice(1, -1)).toEqual(["-5,'=SUM(A1:A2),-1", "-0.5,'+1,-1", "1,'-2,-1", "2,'@cmd,-1", '-7,safe,-1', '3,a=b,-1']);
    // Without the flag nothing changes.
    const u = memoryTarget();
    const plain = createCsvSink(u, cols);
    await plain.write([-5, '=SUM(A1:A2)', '-1']);
    await plain.finish();
    expect(u.text()).toBe('n,txt,label\n-5,=SUM(A1:A2),-1\n');
  });

  it('--safe-csv through resample: only text columns change', async () => {
    const p = file('v,note,label\n-1,=HYPERLINK(x),a\n2,@me,a\n-3,ok,a\n4,+x,b\n');
    const out = join(dir, 'safe.csv');
    await runResample({ input: p, output: out, method: 'random-over', rng: createRng(1), seed: 1, safeCsv: true, scan: { passthrough: ['note'] } });
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.slice(0, 5)).toEqual(['v,note,label', "-1,'=HYPERLINK(x),a", "2,'@me,a", '-3,ok,a', "4,'+x,b"]);
  });
});

describe('--safe-csv and numeric class labels', () => {
  // Known bug (src/pipeline/columns.ts sinkColumns marks the label column `text` because its kind
  // is always 'categorical'): --safe-csv turns the class '-1' into "'-1", so the output has a
  // class the input never had.
  it('leaves number-valued labels such as -1 unchanged', async () => {
    const p = file('x,note,label\n-1,=a,-1\n2,b,1\n3,c,1\n4,d,1\n-5,@e,-1\n');
    const out = join(dir, 'safe-labels.csv');
    await runResample({ input: p, output: out, method: 'random-under', rng: createRng(1), seed: 1, safeCsv: true, scan: { passthrough: ['note'] } });
    const rows = readFileSync(out, 'utf8').split('\n').slice(1, -1).map((l) => l.split(','));
    expect(rows.map((r) => r[2]).sort()).toEqual(['-1', '-1', '1', '1']);
    expect(rows.find((r) => r[0] === '-1')).toEqual(['-1', "'=a", '-1']);
  });
});

describe('round trips through resample', () => {
  it('CSV -> random-over -> CSV keeps every original line byte-identical', async () => {
    const lines = ['id,amount,ratio,flag,city,label'];
    for (let i = 0; i < 40; i++) {
      lines.push([`r${i}`, String(i * 1000 + 7), (i / 7).toFixed(i % 5), i % 3 ? 'true' : 'false', ['Oslo', 'Rome', 'Lima'][i % 3], i % 4 === 0 ? 'fraud' : 'ok'].join(','));
    }
    // Numbers in forms a re-formatter would change: leading zeros, trailing zeros, exponents.
    lines.push('r40,007,1.500,TRUE,Rome,ok', 'r41,1e3,2.50E-3,FALSE,Lima,fraud', 'r42,+5,.5,true,Oslo,ok');
    const text = lines.join('\n') + '\n';
    const p = file(text);
    const out = join(dir, 'rt.csv');
    const s = await runResample({ input: p, output: out, method: 'random-over', rng: createRng(3), seed: 3, scan: { passthrough: ['id'] } });
    expect(s.rowsRead).toBe(43);
    const got = readFileSync(out, 'utf8').split('\n');
    expect(got.pop()).toBe('');
    expect(got.slice(0, 44)).toEqual(lines);
    const originals = new Set(lines.slice(1));
    for (const l of got.slice(44)) {
      expect(originals.has(l), l).toBe(true);
      expect(l.endsWith(',fraud')).toBe(true);
    }
    expect(got.filter((l) => l.endsWith(',fraud'))).toHaveLength(got.filter((l) => l.endsWith(',ok')).length);
  });

  it('CRLF input with quoted cells comes out with the same cells (LF, minimal quoting)', async () => {
    const p = file('id,note,x,label\r\n1,"a, b",1.25,p\r\n2,"say ""hi""",2,q\r\n3,plain,3,q\r\n');
    const out = join(dir, 'rt2.csv');
    await runResample({ input: p, output: out, method: 'random-under', rng: createRng(1), seed: 1, scan: { passthrough: ['note'] } });
    const a = await read(p);
    const b = await read(out);
    expect(b.columns).toEqual(a.columns);
    expect(b.rows).toHaveLength(2);
    expect(b.rows[0]).toEqual(['1', 'a, b', '1.25', 'p']);
    for (const r of b.rows) expect(a.rows.map((x) => x.join('\u0000'))).toContain(r.join('\u0000'));
    expect(readFileSync(out, 'utf8')).not.toContain('\r');
    expect(readFileSync(out, 'utf8')).toContain('"a, b"');
  });

  it('Arrow -> random-over -> Arrow keeps values and column types', async () => {
    const p = file('i,f,s,label\n1,0.5,x,a\n2,1.5,y,a\n3,2.5,x,a\n4,3.5,y,b\n', '.csv');
    const arrowIn = join(dir, 'rt-in.arrow');
    await runResample({ input: p, output: arrowIn, method: 'random-under', strategy: { a: 3, b: 1 }, rng: createRng(1), seed: 1 });
    const t0 = tableFromIPC(readFileSync(arrowIn));
    expect(t0.schema.fields.map((f) => String(f.type))).toEqual(['Int64', 'Float64', 'Utf8', 'Utf8']);
    const arrowOut = join(dir, 'rt-out.arrows');
    await runResample({ input: arrowIn, output: arrowOut, method: 'random-over', rng: createRng(2), seed: 2 });
    const t1 = tableFromIPC(readFileSync(arrowOut));
    expect(t1.schema.fields.map((f) => String(f.type))).toEqual(['Int64', 'Float64', 'Utf8', 'Utf8']);
    expect(t1.numRows).toBe(6);
    const rows = (t: typeof t0): unknown[][] => Array.from({ length: t.numRows }, (_, i) => t.schema.fields.map((_, j) => t.getChildAt(j)!.get(i)));
    expect(rows(t1).slice(0, 4)).toEqual(rows(t0));
    expect(rows(t1).slice(4)).toEqual([
      [4n, 3.5, 'y', 'b'],
      [4n, 3.5, 'y', 'b'],
    ]);
  });
});

describe('atomic output', () => {
  /** Temp files rebalance leaves behind in `folder` (".name.pid.uuid.tmp"). */
  const temps = (folder: string): string[] => readdirSync(folder).filter((n) => n.endsWith('.tmp'));

  it('an aborted sink leaves no output file and no temp file', async () => {
    const folder = join(dir, 'abort');
    mkdirSync(folder);
    const out = join(folder, 'out.csv');
    const target = await openFileTarget(out);
    expect(temps(folder)).toHaveLength(1);
    const sink = createCsvSink(target, [{ name: 'a' }]);
    for (let i = 0; i < 100_000; i++) await sink.write([String(i)]);
    await sink.abort();
    expect(readdirSync(folder)).toEqual([]);
  });

  it('a run failing after output started leaves no file and no temp file; an existing file is untouched', async () => {
    const folder = join(dir, 'fail');
    mkdirSync(folder);
    const p = file('x,y,label\n1,2,a\n2,3,a\n3,4,a\n4,5,b\n5,6,b\n6,7,a\n');
    const fresh = join(folder, 'new.csv');
    const existing = join(folder, 'old.csv');
    writeFileSync(existing, 'previous contents\n');
    const before = statSync(existing).mtimeMs;
    for (const out of [fresh, existing]) {
      let sawTemp = false;
      const e = await failure(
        runResample({
          input: p,
          output: out,
          method: 'tomek-links',
          rng: createRng(1),
          seed: 1,
          // Opened after the output target: the failure happens with the temp file in place.
          knn: async () => {
            sawTemp = temps(folder).length === 1;
            throw new DataError('REBALANCE_TEST_FAILURE', 'failing on purpose after the output was opened');
          },
        }),
      );
      expect(e.code).toBe('REBALANCE_TEST_FAILURE');
      expect(sawTemp).toBe(true);
      expect(temps(folder)).toEqual([]);
    }
    expect(existsSync(fresh)).toBe(false);
    expect(readFileSync(existing, 'utf8')).toBe('previous contents\n');
    expect(statSync(existing).mtimeMs).toBe(before);
  });

  it('a data error during the counting pass never creates the output', async () => {
    const folder = join(dir, 'scanfail');
    mkdirSync(folder);
    const p = file('x,label\n1,a\n,b\n');
    const out = join(folder, 'out.csv');
    const e = await failure(runResample({ input: p, output: out, method: 'smote', rng: createRng(1), seed: 1 }));
    expect(e.code).toBe('REBALANCE_MISSING');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('a directory as output, or a missing output folder, is an IoError (exit 4 through the CLI)', async () => {
    const p = file('x,label\n1,a\n2,b\n3,a\n');
    const asDir = await failure(openFileTarget(dir));
    expect(asDir).toBeInstanceOf(IoError);
    expect(asDir.code).toBe('REBALANCE_IS_DIR');
    const noFolder = await failure(openFileTarget(join(dir, 'no', 'such', 'folder', 'out.csv')));
    expect(noFolder).toBeInstanceOf(IoError);
    expect(noFolder.code).toBe('REBALANCE_NO_DIR');
    const r1 = await runCli(['resample', p, '-m', 'random-over', '-o', dir, '-q']);
    expect(r1.code).toBe(4);
    expect(r1.stderr).toMatch(/is a directory/);
    const r2 = await runCli(['resample', p, '-m', 'random-over', '-o', join(dir, 'nope', 'out.csv'), '-q']);
    expect(r2.code).toBe(4);
    expect(r2.stderr).toMatch(/folder does not exist/);
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });
});
