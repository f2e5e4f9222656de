/**
 * Fuzz: every byte of a small Arrow IPC file and stream, set to 0, to 0xff or bit-flipped
 * (deterministic: one of the three per byte, rotating), read in-process through the real reader
 * (src/io/arrow-read.ts, with its trial decode in the guard worker). Each case must either decode
 * (to the same table, or to one that differs only where the mutated byte is a value, a name or
 * padding: Arrow carries no checksums) or be rejected with a RebalanceError, and must settle
 * within the guard's own time bound (arrowGuardLimitMs), never hang or crash the process.
 * Includes the file whose byte 232 set to 0 made apache-arrow's file reader loop forever.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RebalanceError } from '../../src/core/errors.js';
import { arrowGuardLimitMs } from '../../src/io/arrow-guard.js';
import { arrowRecordBatches } from '../../src/io/arrow-read.js';
import { tempDir } from '../helpers/cli.js';
import { ARROW_FILE, ARROW_LABELS, ARROW_STREAM } from './harness.js';

const { dir: root, cleanup } = tempDir('rebalance-fuzz-arrow-flips-');
afterAll(cleanup);

const labels = ARROW_LABELS;
const FILE = ARROW_FILE;
const STREAM = ARROW_STREAM;

type Outcome = { kind: 'same' } | { kind: 'different'; why: string } | { kind: 'rejected'; code: string } | { kind: 'other'; error: unknown };

let fileNo = 0;

/** Reads `bytes` as an Arrow input through the product's reader; classifies the outcome. */
async function read(bytes: Buffer): Promise<{ outcome: Outcome; ms: number }> {
  // A fresh name per case: the guard remembers files that passed by path, size and mtime.
  const path = join(root, `${fileNo++}.arrow`);
  writeFileSync(path, bytes);
  const t0 = performance.now();
  try {
    const columns: string[] = [];
    const rows: unknown[][] = [];
    for await (const item of arrowRecordBatches(path)) {
      if ('schema' in item) columns.push(...item.schema.fields.map((f) => f.name));
      else rows.push(...item.rows);
    }
    const ms = performance.now() - t0;
    const want = EXPECTED;
    if (JSON.stringify(columns) === JSON.stringify(want.columns) && JSON.stringify(rows, big) === JSON.stringify(want.rows, big)) return { outcome: { kind: 'same' }, ms };
    return { outcome: { kind: 'different', why: `columns ${JSON.stringify(columns)}, ${rows.length} rows` }, ms };
  } catch (e) {
    const ms = performance.now() - t0;
    if (e instanceof RebalanceError) return { outcome: { kind: 'rejected', code: e.code }, ms };
    return { outcome: { kind: 'other', error: e }, ms };
  }
}

const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);
let EXPECTED: { columns: string[]; rows: unknown[][] } = { columns: [], rows: [] };

/** The three mutations, one per byte, rotating so every kind meets every region. */
const MUTATIONS = [
  ['0', (): number => 0],
  ['0xff', (): number => 0xff],
  ['flipped', (b: number): number => ~b & 0xff],
] as const;

function* cases(name: string, base: Buffer, stride: number): Generator<{ what: string; bytes: Buffer }> {
  for (let at = 0; at < base.length; at += stride) {
    const [label, f] = MUTATIONS[at % MUTATIONS.length]!;
    const v = f(base[at]!);
    if (v === base[at]) continue; // 0 -> 0, 0xff -> 0xff: not a mutation
    const bytes = Buffer.from(base);
    bytes[at] = v;
    yield { what: `${name} byte ${at} set to ${label} (${base[at]} -> ${v})`, bytes };
  }
}

describe('Arrow byte flips', () => {
  it('the unmutated file and stream decode to the table', async () => {
    const columns: string[] = [];
    const rows: unknown[][] = [];
    const path = join(root, 'base.arrow');
    writeFileSync(path, FILE);
    for await (const item of arrowRecordBatches(path)) {
      if ('schema' in item) columns.push(...item.schema.fields.map((f) => f.name));
      else rows.push(...item.rows);
    }
    expect(columns).toEqual(['f0', 'f1', 'label']);
    expect(rows).toHaveLength(labels.length);
    EXPECTED = { columns, rows };
    expect((await read(FILE)).outcome).toEqual({ kind: 'same' });
    expect((await read(STREAM)).outcome).toEqual({ kind: 'same' });
  });

  it('the file with byte 232 set to 0 (its footer points at the wrong message: apache-arrow loops forever) is rejected', async () => {
    const bytes = Buffer.from(FILE);
    bytes[232] = 0;
    const { outcome, ms } = await read(bytes);
    expect(outcome).toEqual({ kind: 'rejected', code: 'REBALANCE_BAD_ARROW' });
    expect(ms).toBeLessThan(arrowGuardLimitMs(bytes.length));
  });

  // Every byte of the stream; every other byte of the file (its messages are the stream's, framed
  // by the file's magic and footer): about 1,000 cases.
  for (const [name, base, stride] of [['file', FILE, 2], ['stream', STREAM, 1]] as const) {
    it(`${stride === 1 ? 'every byte' : 'every other byte'} of the ${base.length}-byte ${name} mutated: decoded or a RebalanceError, within the guard's bound`, async () => {
      const counts = { same: 0, different: 0, rejected: 0 };
      let slowest = 0;
      for (const { what, bytes } of cases(name, base, stride)) {
        const { outcome, ms } = await read(bytes);
        if (outcome.kind === 'other') expect.fail(`${what}: not a RebalanceError: ${String((outcome.error as Error)?.stack ?? outcome.error)}`);
        expect(ms, `${what}: took ${Math.round(ms)} ms, beyond the guard's bound`).toBeLessThan(arrowGuardLimitMs(bytes.length));
        counts[outcome.kind]++;
        slowest = Math.max(slowest, ms);
      }
      console.log(`arrow byte flips (${name}): ${JSON.stringify(counts)}, slowest ${Math.round(slowest)} ms`);
      // Padding and unused bytes pass unchanged, values and names decode to other values (Arrow
      // carries no checksum), broken structure is rejected: all three must occur.
      expect(counts.same).toBeGreaterThan(0);
      expect(counts.different).toBeGreaterThan(0);
      expect(counts.rejected).toBeGreaterThan(0);
    });
  }
});
