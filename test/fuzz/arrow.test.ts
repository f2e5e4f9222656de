/**
 * Fuzz: malformed Arrow IPC (truncated at every byte, corrupted flatbuffer metadata, a stream
 * without a schema, wrong magic, dictionary batches missing) is a clean data error, never a crash,
 * a hang, a partial output file or a left-over temp file.
 */
import fc from 'fast-check';
import { MessageReader, tableToIPC } from 'apache-arrow';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';
import { ARROW_FILE, ARROW_LABELS, ARROW_STREAM, ARROW_TABLE, HANG_MS, fuzzRuns, runInProcess, violation } from './harness.js';

const { dir: root, cleanup } = tempDir('rebalance-fuzz-arrow-');
afterAll(cleanup);
let caseNo = 0;

const labels = ARROW_LABELS;
const table = ARROW_TABLE;
const FILE = ARROW_FILE;
const STREAM = ARROW_STREAM;

interface Msg {
  readonly start: number;
  readonly end: number;
  readonly metaStart: number;
  readonly metaEnd: number;
  readonly type: 'schema' | 'dictionary' | 'batch' | 'other';
}

/** Splits an IPC stream into its messages (continuation marker, length, metadata, body). */
function messages(bytes: Buffer): Msg[] {
  const out: Msg[] = [];
  let off = 0;
  while (off + 8 <= bytes.length) {
    const metaLen = bytes.readInt32LE(off + 4);
    if (metaLen === 0) break; // end-of-stream marker
    const m = new MessageReader(bytes.subarray(off)).readMessage();
    if (!m) break;
    const metaStart = off + 8;
    const metaEnd = metaStart + metaLen;
    const end = metaEnd + m.bodyLength;
    out.push({ start: off, end, metaStart, metaEnd, type: m.isSchema() ? 'schema' : m.isDictionaryBatch() ? 'dictionary' : m.isRecordBatch() ? 'batch' : 'other' });
    off = end;
  }
  return out;
}

const MSGS = messages(STREAM);

function caseDir(): string {
  const d = join(root, String(caseNo++));
  mkdirSync(d);
  return d;
}

async function check(bytes: Buffer, allowed: number[], what: string, method = 'random-over'): Promise<number> {
  const d = caseDir();
  const input = join(d, 'in.arrow');
  const out = join(d, 'out.csv');
  writeFileSync(input, bytes);
  const args = method === 'inspect' ? ['inspect', input] : ['resample', input, '-m', method, '-o', out, '-q', ...(method === 'smote' ? ['-k', '2'] : [])];
  const r = await runInProcess(args);
  const v = method === 'inspect' ? violation({ ...r, code: r.code === 0 ? 3 : r.code }, [3, ...allowed], out, d) : violation(r, allowed, out, d);
  expect(v, `${what} (${method})`).toBeNull();
  rmSync(d, { recursive: true, force: true });
  return r.code;
}

describe('Arrow fuzz', () => {
  it('the base file and stream are valid: exit 0', async () => {
    expect(MSGS.map((m) => m.type)).toEqual(['schema', 'dictionary', 'batch']);
    expect(await check(FILE, [0], 'valid file')).toBe(0);
    expect(await check(STREAM, [0], 'valid stream')).toBe(0);
    expect(await check(STREAM, [0], 'valid stream', 'smote')).toBe(0);
  });

  it('a file and a stream truncated at every byte boundary', async () => {
    const methods = ['random-over', 'random-over', 'smote', 'inspect'];
    let failures = 0;
    for (const [name, bytes] of [['file', FILE], ['stream', STREAM]] as const) {
      for (let n = 0; n < bytes.length; n++) {
        const code = await check(bytes.subarray(0, n), [0, 2, 3], `${name} truncated at ${n}/${bytes.length}`, methods[n % methods.length]);
        if (code !== 0) failures++;
      }
    }
    // Nearly every truncation must be rejected (only cutting trailing padding/markers may pass).
    expect(failures).toBeGreaterThan((FILE.length + STREAM.length) * 0.9);
  });

  // Regression (found by this suite, fixed): a corrupted schema can decode to a field whose name is null; scanTable's label lookup
  // (src/dataset/scan.ts:82, c.trim()) then throws a TypeError -> exit 1 "internal error".
  // Expected: exit 3 (REBALANCE_ARROW_... data error: "field N has no name"), see the report.
  it('corrupted flatbuffer metadata bytes', async () => {
    const metaRanges = MSGS.map((m) => [m.metaStart, m.metaEnd] as const);
    const position = fc.tuple(fc.nat({ max: metaRanges.length - 1 }), fc.nat()).map(([k, r]) => metaRanges[k]![0] + (r % (metaRanges[k]![1] - metaRanges[k]![0])));
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), async (asFile, edits) => {
        const bytes = Buffer.from(STREAM);
        for (const [at, v] of edits) bytes[at] = v;
        // The file format embeds the same messages after its 8-byte magic.
        const input = asFile ? Buffer.concat([FILE.subarray(0, 8), bytes.subarray(0, MSGS[MSGS.length - 1]!.end), FILE.subarray(8 + MSGS[MSGS.length - 1]!.end)]) : bytes;
        await check(input, [0, 3], `metadata edits ${JSON.stringify(edits)} (${asFile ? 'file' : 'stream'})`);
      }),
      { seed: 424242, numRuns: fuzzRuns(250, 0.15), endOnFailure: true },
    );
  });

  it('a stream with no schema, a missing dictionary, wrong magic: data errors', async () => {
    const [schema, dict, batch] = MSGS as [Msg, Msg, Msg];
    const eos = STREAM.subarray(batch.end);
    await check(Buffer.concat([STREAM.subarray(dict.start, batch.end), eos]), [3], 'stream without schema');
    await check(Buffer.concat([STREAM.subarray(batch.start, batch.end), eos]), [3], 'record batch only');
    await check(Buffer.concat([STREAM.subarray(schema.start, schema.end), STREAM.subarray(batch.start)]), [3], 'dictionary batch missing');
    await check(Buffer.concat([STREAM.subarray(schema.start, schema.end), STREAM.subarray(batch.start)]), [3], 'dictionary batch missing', 'smote');
    const wrongMagic = Buffer.from(FILE);
    wrongMagic.write('ARROW2', 0, 'latin1');
    await check(wrongMagic, [2, 3], 'wrong leading magic');
    const wrongTail = Buffer.from(FILE);
    wrongTail.write('ARROWX', FILE.length - 6, 'latin1');
    // Lenient: the messages are intact, so reading them is acceptable; a crash is not.
    await check(wrongTail, [0, 3], 'wrong trailing magic');
    const schemaOnly = Buffer.from(tableToIPC(table.slice(0, 0), 'stream'));
    await check(schemaOnly, [3], 'schema and no rows');
  });

  // Regression (found by this suite, fixed): a record batch whose row count field is corrupted (10 -> 1,000,000,000) makes the reader
  // allocate per declared row: the process dies of heap exhaustion (SIGABRT, exit 134) instead of
  // failing. Expected: exit 3, a data error saying the batch declares more rows than its buffers
  // hold (check length against buffer sizes in src/io/arrow-read.ts before materializing rows).
  it('a record batch declaring more rows than its buffers hold is a data error, not an OOM', () => {
    const batch = MSGS[2]!;
    const bytes = Buffer.from(STREAM);
    const ten = Buffer.alloc(8);
    ten.writeBigInt64LE(BigInt(labels.length));
    const at = bytes.subarray(batch.metaStart, batch.metaEnd).indexOf(ten);
    expect(at).toBeGreaterThanOrEqual(0);
    bytes.writeBigInt64LE(1_000_000_000n, batch.metaStart + at);
    const d = caseDir();
    const input = join(d, 'in.arrows');
    const out = join(d, 'out.csv');
    writeFileSync(input, bytes);
    const r = spawnSync(process.execPath, ['--max-old-space-size=256', BIN, 'resample', input, '-m', 'random-over', '-o', out, '-q'], { timeout: HANG_MS, env: { ...process.env, REBALANCE_DEBUG: '' } });
    expect(violation({ code: r.status, signal: r.signal, stderr: r.stderr.toString().slice(0, 2000) }, [3], out, d)).toBeNull();
  });

  it('a sample of corrupted Arrow files through real processes', () => {
    const cuts = fc.sample(fc.nat({ max: FILE.length - 1 }), { seed: 3, numRuns: fuzzRuns(4, 0.001) });
    for (const n of cuts) {
      const d = caseDir();
      const input = join(d, 'in.arrow');
      const out = join(d, 'out.csv');
      writeFileSync(input, FILE.subarray(0, n));
      const r = spawnSync(process.execPath, [BIN, 'resample', input, '-m', 'random-over', '-o', out, '-q'], { timeout: HANG_MS, env: { ...process.env, REBALANCE_DEBUG: '' } });
      expect(violation({ code: r.status, signal: r.signal, stderr: r.stderr.toString() }, [0, 2, 3], out, d), `file cut at ${n}`).toBeNull();
    }
  });
});
