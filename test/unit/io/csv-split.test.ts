/**
 * The counting pass's field splitters (src/io/csv-split.ts): the WebAssembly kernel
 * (assembly/csv.ts) gives exactly the JavaScript splitter's fields, classes, values and field
 * counts on generated batches of simple records (numbers, NA candidates, text, empty and extra
 * fields, non-ASCII), across several ranges of one batch and across batches of growing size.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FieldClass } from '../../../src/io/csv-cells.js';
import { jsSplitter, wasmSplitter, type FieldSplitter, type SplitOptions } from '../../../src/io/csv-split.js';
import { tokenizeBuffer } from '../../../src/io/csv-tokenizer.js';

const root = resolve(import.meta.dirname, '../../..');
beforeAll(() => {
  if (!existsSync(join(root, 'src/io/wasm/csv-wasm.generated.ts'))) {
    execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs')], { cwd: root, stdio: 'inherit' });
  }
});

const CELLS = ['', '0', '-0', '+5', '1.5', '-.25', '5.', '.', '-', '1e5', '123456789012345', '1234567890123456', '0.000000000000001', 'NA', 'nan', 'x', 'é', '漢字', '2024-01-31', '12a', '-999'];

function options(delim: string, nCols: number): SplitOptions {
  const naLast = new Uint8Array(256);
  for (const na of ['NA', 'nan', '-999']) naLast[Buffer.from(na).at(-1)!] = 1;
  return { delimiter: delim.charCodeAt(0), nCols, naMaxBytes: 4, naLast };
}

/** Every slot of every simple record of recs[from, to) as one comparable list. */
function dump(s: FieldSplitter, text: string, delim: string, nCols: number): unknown[] {
  const recs = tokenizeBuffer(Buffer.from(text, 'utf8'), delim);
  const out: unknown[] = [];
  for (let from = 0; from < recs.count; from += s.group) {
    const to = Math.min(recs.count, from + s.group);
    const f = s.split(recs, from, to);
    for (let k = from; k < to; k++) {
      if (recs.fieldFrom[k] >= 0) continue;
      const i = k - from;
      const nf = f.nf[i];
      const fields = [];
      for (let j = 0; j < Math.min(nf, nCols); j++) {
        const slot = i * nCols + j;
        const c = f.cls[slot];
        fields.push([f.start[slot], f.end[slot], c, c === 1 || c === 2 ? f.value[slot] : null]);
      }
      out.push([k, nf, fields]);
    }
  }
  return out;
}

describe('field splitters', () => {
  it('the WebAssembly kernel splits exactly as the JavaScript reference', async () => {
    const arb = fc.record({
      rows: fc.array(fc.array(fc.oneof(fc.constantFrom(...CELLS), fc.double({ noNaN: true }).map(String)), { minLength: 1, maxLength: 7 }), { minLength: 1, maxLength: 60 }),
      delim: fc.constantFrom(',', ';', '\t'),
      nCols: fc.integer({ min: 1, max: 6 }),
      ending: fc.constantFrom('\n', '\r\n', ''),
    });
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(arb, async ({ rows, delim, nCols, ending }) => {
        const wasm = await wasmSplitter(options(delim, nCols));
        expect(wasm).not.toBeNull();
        // Records end in '\n' or '\r\n'; the last one may end at the end of the buffer.
        const text = rows.map((r) => r.join(delim)).join(ending || '\n') + ending;
        const want = dump(jsSplitter(options(delim, nCols)), text, delim, nCols);
        expect(dump(wasm!, text, delim, nCols)).toEqual(want);
        checked += want.length;
      }),
      { numRuns: 300, seed: 30 },
    );
    expect(checked).toBeGreaterThan(1000);
  });

  it('one splitter over batches of growing size (its memory grows) and many ranges per batch', async () => {
    const o = options(',', 3);
    const wasm = (await wasmSplitter(o))!;
    const js = jsSplitter(o);
    for (const n of [10, 100_000, 300_000]) {
      const lines = Array.from({ length: n }, (_, i) => `${i},${(i * 0.37).toFixed(3)},${i % 7 === 0 ? 'NA' : i % 11 === 0 ? '' : 'x' + (i % 5)}`);
      const text = lines.join('\n') + '\n';
      const got = dump(wasm, text, ',', 3);
      expect(got).toEqual(dump(js, text, ',', 3));
      expect(got.length).toBe(n);
    }
    expect(wasm.group).toBeLessThan(300_000);
    expect(FieldClass.Empty).toBe(5);
  });
});
