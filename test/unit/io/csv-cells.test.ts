/**
 * CSV cells from their bytes (src/io/csv-cells.ts): classifyBytes gives cells.ts's classifyNumber
 * class for the same text, and numberOfBytes exactly the double Number(text) gives (Clinger's fast
 * path and its fallback), on edge cases and many random decimal strings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyNumber, NumClass } from '../../../src/io/cells.js';
import { classifyBytes, FieldClass, numberOfBytes, splitRecord } from '../../../src/io/csv-cells.js';

/** The class and (for numbers) the value of a cell's text read from its bytes, inside a larger buffer. */
function fromBytes(text: string): { cls: NumClass; value?: number } {
  const body = Buffer.from(text, 'utf8');
  const buf = Buffer.concat([Buffer.from('9,'), body, Buffer.from(',7')]);
  const s = 2;
  const e = 2 + body.length;
  const cls = classifyBytes(buf, s, e);
  return cls === NumClass.Int || cls === NumClass.Float ? { cls, value: numberOfBytes(buf, s, e) } : { cls };
}

function check(text: string): void {
  const want = classifyNumber(text);
  const got = fromBytes(text);
  expect({ text, cls: got.cls }).toEqual({ text, cls: want });
  if (want === NumClass.Int || want === NumClass.Float) {
    const n = Number(text);
    if (!Object.is(got.value, n)) expect({ text, value: got.value }).toEqual({ text, value: n });
  }
}

const EDGE = [
  '0', '-0', '+0', '00', '007', '-007', '+5', '-', '+', '.', '-.', '+.', '.5', '5.', '-.5', '-5.', '1.e5', '.e5', 'e5', '-e5', '1e', '1e+', '1e-',
  '1e5', '1E5', '1e+5', '1e-5', '-1.5e-3', '1e22', '1e23', '1e-22', '1e-23', '123456789012345', '1234567890123456', '12345678901234567890',
  '9007199254740993', '-9007199254740993', '0.1', '0.3', '0.30000000000000004', '1.7976931348623157e308', '1.7976931348623159e308', '1e308', '1e309',
  '10e308', '0.1e309', '0.01e310', '100e306', '4.9e-324', '2.4e-324', '1e-400', '-1e-400', '0e999999', '-0e5', '0.0', '-0.0', '000.000',
  '0.000000000000000000000001', '123456789012345.6', '1.23456789012345678', '3.14159265358979323846', '2.2250738585072011e-308',
  '2.2250738585072014e-308', '9999999999999999', '999999999999999.9', '1e99999999999', '1e-99999999999', '123456789012345e7', '123456789012345e8',
  '0.000123456789012345', '100000000000000000000000', '1000000000000000000000000e-2',
  'nan', 'NaN', 'NAN', '-nan', '+nan', 'inf', '-inf', '+Inf', 'INF', 'infinity', '-Infinity', '+INFINITY', 'infinit', 'infinityy', 'nana', 'in',
  'x', 'abc', 'true', '1_000', '1,5', '0x10', '1 ', ' 1', '1\t', '١', 'é', '1é', '漢字', '1e5x', '--1', '+-1', '1..2', '1.2.3', '1e5.5', '1e5e5', '\u00a0',
];

describe('classifyBytes / numberOfBytes', () => {
  it('edge cases: the classes of classifyNumber and the values of Number(text)', () => {
    for (const t of EDGE) check(t);
  });

  it('random decimal strings: same class, exactly the same double', () => {
    const digits = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
    const decimal = fc
      .record({
        sign: fc.constantFrom('', '-', '+'),
        int: digits(0, 20),
        point: fc.boolean(),
        frac: digits(0, 20),
        exp: fc.option(fc.record({ e: fc.constantFrom('e', 'E'), sign: fc.constantFrom('', '-', '+'), v: fc.integer({ min: 0, max: 400 }) })),
      })
      .map(({ sign, int, point, frac, exp }) => `${sign}${int}${point ? '.' : ''}${point ? frac : ''}${exp ? `${exp.e}${exp.sign}${exp.v}` : ''}`)
      .filter((s) => s.length > 0);
    fc.assert(fc.property(decimal, (s) => check(s)), { numRuns: 20000, seed: 20 });
  });

  it('the texts numbers are written as (shortest, fixed, exponential, precision): exact values', () => {
    const texts = fc.double({ noNaN: true }).chain((x) =>
      fc.constantFrom(String(x), Number.isFinite(x) && Math.abs(x) < 1e21 ? x.toFixed(5) : String(x), x.toExponential(), x.toPrecision(17), x.toPrecision(6)),
    );
    fc.assert(fc.property(texts, (s) => check(s)), { numRuns: 20000, seed: 21 });
  });

  it('any short text over number-like characters (and non-ASCII) gets the same class', () => {
    const text = fc.array(fc.constantFrom(...'0123456789+-.eEnaifINFtyx ', 'é', '١'), { minLength: 1, maxLength: 10 }).map((a) => a.join(''));
    fc.assert(fc.property(text, (s) => check(s)), { numRuns: 20000, seed: 22 });
  });
});

describe('splitRecord', () => {
  it('splits simple records as text.split(delimiter) does; fast-path numbers carry classifyNumber\'s class and Number\'s value', () => {
    const field = fc.oneof(
      fc.constantFrom('', '1', '-0', '+7', '0.5', '.5', '5.', '-.', '.', '-', '1e5', '123456789012345', '1234567890123456', '0.000000000000001', 'NA', 'x9', '9x', 'é', '1;2'),
      fc.double({ noNaN: true }).map(String),
      fc.integer().map(String),
    );
    const rec = fc.record({ cells: fc.array(field, { minLength: 1, maxLength: 8 }), delim: fc.constantFrom(',', ';', '\t'), nCols: fc.integer({ min: 1, max: 8 }) });
    fc.assert(
      fc.property(rec, ({ cells, delim, nCols }) => {
        const text = cells.join(delim);
        const buf = Buffer.concat([Buffer.from('xx\n'), Buffer.from(text, 'utf8'), Buffer.from('\nyy')]);
        const out = { start: new Int32Array(nCols), end: new Int32Array(nCols), cls: new Uint8Array(nCols), value: new Float64Array(nCols) };
        const naLast = new Uint8Array(256);
        naLast[65] = 1; // 'A'
        const nf = splitRecord(buf, 3, 3 + Buffer.byteLength(text), delim.charCodeAt(0), nCols, out, 2, naLast);
        const want = text.split(delim);
        expect(nf).toBe(want.length);
        for (let j = 0; j < Math.min(nf, nCols); j++) {
          const t = buf.toString('utf8', out.start[j], out.end[j]);
          expect(t).toBe(want[j]);
          const c = out.cls[j];
          if (t === '') expect(c).toBe(FieldClass.Empty);
          else if (t.length <= 2 && t.endsWith('A')) expect(c).toBe(FieldClass.MaybeNa);
          else if (c !== FieldClass.Unknown) {
            expect(c).toBe(classifyNumber(t));
            expect(Object.is(out.value[j], Number(t))).toBe(true);
          }
        }
      }),
      { numRuns: 5000, seed: 23 },
    );
  });
});
