/**
 * io/number-text.ts: the WebAssembly shortest round-trip formatter writes exactly the text of
 * cells.ts formatNumber / cellText (String(x) based) for every double; the CSV lines of generated
 * rows are io/row-writer.test.ts's business. A longer run: test/fuzz/number-text.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellText } from '../../../src/io/cells.js';
import { formatNumbersText } from '../../../src/io/number-text.js';
import { boundaryCases, drawAll } from './number-text-cases.js';

const root = join(import.meta.dirname, '..', '..', '..');
beforeAll(() => {
  if (!existsSync(join(root, 'src/io/wasm/dtoa-wasm.generated.ts'))) {
    execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs')], { cwd: root, stdio: 'inherit' });
  }
});

/** The first value whose text differs (index, value, expected, got), or null. */
async function firstDifference(values: Float64Array): Promise<null | { i: number; bits: string; want: string; got: string }> {
  const got = (await formatNumbersText(values)).split('\n');
  expect(got.length).toBe(values.length + 1);
  for (let i = 0; i < values.length; i++) {
    const want = cellText(values[i]);
    if (got[i] !== want) {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(values[i]);
      return { i, bits: b.toString('hex'), want, got: got[i] };
    }
  }
  return null;
}

describe('formatNumbersText: the bytes of formatNumber', () => {
  it('boundary cases: powers of 10 and 2 and their neighbours, 1e21, 1e-7, extremes, -0', async () => {
    const values = boundaryCases();
    expect(values.length).toBeGreaterThan(10_000);
    expect(await firstDifference(values)).toBeNull();
  });

  it('written layouts: decimal, exponent, full integers past 1e21, NaN and infinities from JavaScript', async () => {
    const values = new Float64Array([1e21, -1e21, 2 ** 70, 1.5e-7, 1e-7, 0.000001, 123e-20, NaN, Infinity, -Infinity, -0, 1e300]);
    expect((await formatNumbersText(values, ',')).split(',')).toEqual([
      '1000000000000000000000',
      '-1000000000000000000000',
      '1180591620717411303424',
      '1.5e-7',
      '1e-7',
      '0.000001',
      '1.23e-18',
      'NaN',
      'Infinity',
      '-Infinity',
      '0',
      BigInt(1e300).toString(),
      '',
    ]);
  });

  // 6 families x 250k = 1.5M doubles (a few seconds); REBALANCE_NUMBER_TEXT_DOUBLES raises it.
  const perFamily = Number(process.env.REBALANCE_NUMBER_TEXT_DOUBLES) || 250_000;
  for (const [name, values] of Object.entries(drawAll(20, perFamily))) {
    it(`${perFamily} doubles of family '${name}'`, async () => {
      expect(await firstDifference(values)).toBeNull();
    });
  }
});
