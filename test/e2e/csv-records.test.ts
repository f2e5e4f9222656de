/**
 * The CSV cases of the reliability issue (#19 items 1-3), end to end through the CLI (in-process:
 * runCli; the real process matters only for stdout, which these runs do not write): the two
 * passes read the same records, so no row is lost or invented; large quoted fields anywhere;
 * mixed line endings read as pandas reads them; malformed lines are clean results or one-line
 * data errors, never an internal error.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, noStack } from '../helpers/cli.js';
import { runCli } from '../helpers/cli-in-process.js';

const { dir, cleanup } = tempDir('rebalance-e2e-csv-records-');
afterAll(cleanup);
let n = 0;
function file(content: string | Buffer, ext = '.csv'): string {
  const p = join(dir, `in-${n++}${ext}`);
  writeFileSync(p, content);
  return p;
}

/** A clean outcome: exit 0, or a one-line data error (3) without a stack and without output. */
function clean(r: { code: number; stderr: string }, out: string): void {
  expect([0, 3], r.stderr).toContain(r.code);
  expect(noStack(r.stderr), r.stderr).toBe(true);
  expect(r.stderr).not.toMatch(/segmentation|internal|please report/i);
  if (r.code === 3) {
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  }
}

describe('CSV records end to end (#19)', () => {
  it("t.tsv: bare-tab line = empty cells, NBSP line = a record: no row lost, no junk row", async () => {
    const input = file(Buffer.from('a\tlabel\n1\tx\n\t\n2\ty\n\xc2\xa0\n3\tx\n4\tx\n', 'latin1'), '.tsv');
    const out = join(dir, 't-out.tsv');
    // The NBSP line is a record of one field in a 2-column file: a one-line data error naming it.
    const strict = await runCli(['resample', input, '-m', 'random-over', '--missing', 'drop', '-o', out, '--seed', '1']);
    expect(strict.code).toBe(3);
    expect(strict.stderr).toContain('data row 4 has 1 fields, expected 2');
    clean(strict, out);
    // Skipping it: every real row is kept, the bare-tab row is dropped as missing, nothing invented.
    const r = await runCli(['resample', input, '-m', 'random-over', '--missing', 'drop', '--on-bad-row', 'skip', '-o', out, '--seed', '1']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.slice(0, 5)).toEqual(['a\tlabel', '1\tx', '2\ty', '3\tx', '4\tx']);
    expect(lines.slice(5, -1).every((l) => l === '2\ty')).toBe(true);
    expect(lines.slice(5, -1)).toHaveLength(2);
    expect(readFileSync(out).includes(Buffer.from([0xc2, 0xa0]))).toBe(false);
    expect(r.stderr).toMatch(/dropped 1 row\(s\) with missing values/);
  });

  for (const at of [480_000, 500_000]) {
    it(`a 600 KB quoted field (with line breaks) at byte ${at} of a 1.1 MB file: every row counted is written`, async () => {
      let text = 'id,text,label\n';
      let i = 0;
      let a = 0;
      const label = (): string => (i % 3 ? (a++, 'a') : 'b');
      while (text.length < at) text += `${i},t${i},${label()}\n`, i++;
      const big = `${i},"${'line of ""text""\n'.repeat(35_300)}end",${label()}`;
      text += big + '\r\n';
      i++;
      while (text.length < 1_100_000) text += `${i},t${i},${label()}\r\n`, i++;
      const input = file(text);
      const out = join(dir, `big-field-${at}.csv`);
      const r = await runCli(['resample', input, '-m', 'random-over', '-o', out, '--seed', '3', '-q']);
      expect(r.code, r.stderr).toBe(0);
      const written = readFileSync(out, 'utf8');
      // The big field is copied verbatim; random-over keeps every row and grows 'b' to the count of 'a'.
      expect(written).toContain(big + '\n');
      expect(written.match(/(^|\n)\d+,/g)).toHaveLength(2 * a);
      for (const id of [0, i - 2, i - 1]) expect(written).toContain(`\n${id},`);
    });
  }

  it('mixed line endings (first lines \\r, then \\n; \\r\\r) read as pandas reads them', async () => {
    const input = file('a,b,label\r1,2,x\r3,4,y\r\r5,6,x\n7,8,y\n\r\n9,10,x\n');
    const out = join(dir, 'mixed-out.csv');
    const r = await runCli(['resample', input, '-m', 'random-under', '-o', out, '--seed', '1', '--strategy', 'all']);
    expect(r.code, r.stderr).toBe(0);
    // pandas.read_csv reads rows (1,2,x) (3,4,y) (5,6,x) (7,8,y) (9,10,x): 3 x, 2 y; under to 2 each.
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('a,b,label');
    expect(lines.slice(1).filter((l) => l.endsWith(',y'))).toEqual(['3,4,y', '7,8,y']);
    expect(lines.slice(1).filter((l) => l.endsWith(',x'))).toHaveLength(2);
    for (const l of lines.slice(1)) expect(['1,2,x', '3,4,y', '5,6,x', '7,8,y', '9,10,x']).toContain(l);
  });

  for (const [name, text] of [
    ['a stray BOM mid-file', 'a,b,label\n1,2,x\n\ufeff\n3,4,y\n5,6,x\n7,8,y\n'],
    ['a BOM before a value', 'a,b,label\n1,2,x\n\ufeff3,4,y\n5,6,x\n7,8,y\n'],
    ['a "" line followed by a space', 'a,b,label\n1,2,x\n"" \n3,4,y\n5,6,x\n7,8,y\n'],
    ['an NBSP line before the header', '\u00a0\na,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n'],
    ['\\r\\r between rows', 'a,b,label\r\r1,2,x\r\r3,4,y\r\r5,6,x\r\r7,8,y\r\r'],
    ['a form feed line', 'a,b,label\n1,2,x\n\f\n3,4,y\n5,6,x\n7,8,y\n'],
  ] as const) {
    it(`${name}: a clean result or a one-line data error, for every method pass`, async () => {
      const input = file(text);
      for (const m of ['random-over', 'random-under', 'smote']) {
        const out = join(dir, `edge-${n++}.csv`);
        const r = await runCli(['resample', input, '-m', m, '-o', out, '--seed', '1', '-q', ...(m === 'smote' ? ['--k-neighbors', '1'] : [])]);
        clean(r, out);
        if (r.code === 0) {
          // Every written original row is a row of the input.
          const rows = readFileSync(out, 'utf8').split('\n').slice(1, -1);
          expect(rows.length).toBeGreaterThan(0);
        }
      }
    });
  }

  it('\\r\\r between rows reads the rows (blank lines), and smote writes all of them', async () => {
    const input = file('a,b,label\r\r1,2,x\r\r3,4,y\r\r5,6,x\r\r7,8,y\r\r9,9,x\r');
    const out = join(dir, 'crcr-out.csv');
    const r = await runCli(['resample', input, '-m', 'random-over', '-o', out, '--seed', '1', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').split('\n').slice(1, -1);
    expect(rows.slice(0, 5)).toEqual(['1,2,x', '3,4,y', '5,6,x', '7,8,y', '9,9,x']);
    expect(rows).toHaveLength(6);
  });
});
