/**
 * The WebAssembly formatter (io/number-text.ts) against formatNumber / cellText on millions of
 * doubles from other seeds than the unit test: 6 families x 500k by default;
 * REBALANCE_NUMBER_TEXT_DOUBLES=N per family for a longer run (checked in blocks of 1M).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellText } from '../../src/io/cells.js';
import { formatNumbersText } from '../../src/io/number-text.js';
import { drawAll } from '../unit/io/number-text-cases.js';

const root = join(import.meta.dirname, '..', '..');
beforeAll(() => {
  if (!existsSync(join(root, 'src/io/wasm/dtoa-wasm.generated.ts'))) {
    execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs')], { cwd: root, stdio: 'inherit' });
  }
});

const perFamily = Number(process.env.REBALANCE_NUMBER_TEXT_DOUBLES) || 500_000;
const BLOCK = 1_000_000;

describe('formatNumbersText fuzz', () => {
  it(`${perFamily} doubles per family equal formatNumber's text`, async () => {
    let checked = 0;
    for (let seed = 1000; checked < perFamily; seed++) {
      const n = Math.min(BLOCK, perFamily - checked);
      for (const [name, values] of Object.entries(drawAll(seed, n))) {
        const got = (await formatNumbersText(values)).split('\n');
        for (let i = 0; i < values.length; i++) {
          const want = cellText(values[i]);
          if (got[i] !== want) expect({ name, seed, i, x: values[i], got: got[i] }).toEqual({ name, seed, i, x: values[i], got: want });
        }
      }
      checked += n;
    }
    expect(checked).toBe(perFamily);
  });
});
