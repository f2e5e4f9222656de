/**
 * The Parquet footer rewrite (io/parquet-footer.ts) that lets parquet-wasm read polars
 * Categorical/Enum columns (io/parquet-read.ts readableArrowSchema): the Thrift key-value
 * metadata read and re-encoded, the Arrow schema retyped, odd but valid footers read, and corrupt
 * footers reported as one-line data errors, never crashes.
 */
import { openAsBlob, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BinaryView, Dictionary, Field, Float64, Int8, LargeList, RecordBatchReader, Schema, Table, tableToIPC, Uint32, Utf8View } from 'apache-arrow';
import { arrowSchemaMessageSound, footerKeyValues, readFooter, replaceKeyValues, withFooter, type KeyValue } from '../../../src/io/parquet-footer.js';
import { parquetRecordBatches, readableArrowSchema } from '../../../src/io/parquet-read.js';
import { runCli } from '../../helpers/cli-in-process.js';

const FIX = join(__dirname, '../../../fixtures/parquet');
const CAT = join(FIX, 'categorical.parquet');
const dir = mkdtempSync(join(tmpdir(), 'rebalance-pq-footer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The file's bytes split into the prefix (up to the footer) and the footer's Thrift bytes. */
function split(path: string): { prefix: Buffer; footer: Buffer } {
  const bytes = readFileSync(path);
  const len = bytes.readUInt32LE(bytes.length - 8);
  return { prefix: bytes.subarray(0, bytes.length - 8 - len), footer: bytes.subarray(bytes.length - 8 - len, bytes.length - 8) };
}

/** Writes `prefix + footer + length + PAR1` as a new file. */
function withFooterFile(name: string, prefix: Uint8Array, footer: Uint8Array): string {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(footer.length);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([prefix, footer, len, Buffer.from('PAR1')]));
  return path;
}

function decodeSchema(base64: string): Schema {
  const reader = RecordBatchReader.from(Buffer.from(base64, 'base64'));
  reader.open();
  return reader.schema;
}

function encodeSchema(schema: Schema): string {
  const ipc = tableToIPC(new Table(schema), 'stream');
  return Buffer.from(ipc.subarray(0, 8 + new DataView(ipc.buffer, ipc.byteOffset).getUint32(4, true))).toString('base64');
}

describe('Parquet footer key-value metadata', () => {
  it.each(['categorical.parquet', 'types-zstd.parquet'])('%s: re-encoding its key-value metadata gives the same footer bytes', async (name) => {
    const footer = await readFooter(await openAsBlob(join(FIX, name)));
    expect(footer).not.toBeNull();
    const kv = footerKeyValues(footer!.bytes);
    expect(kv.map((e) => e.key)).toContain('ARROW:schema');
    expect(Buffer.from(replaceKeyValues(footer!.bytes, kv)).equals(Buffer.from(footer!.bytes))).toBe(true);
  });

  it('withFooter keeps the prefix and appends the footer, its length and PAR1', async () => {
    const blob = await openAsBlob(CAT);
    const footer = (await readFooter(blob))!;
    const kv: KeyValue[] = [...footerKeyValues(footer.bytes), { key: 'extra', value: null }];
    const next = replaceKeyValues(footer.bytes, kv);
    const bytes = Buffer.from(await withFooter(blob, footer, next).arrayBuffer());
    const { prefix } = split(CAT);
    expect(bytes.subarray(0, footer.start).equals(prefix)).toBe(true);
    expect(bytes.readUInt32LE(bytes.length - 8)).toBe(next.length);
    expect(bytes.subarray(bytes.length - 4).toString('latin1')).toBe('PAR1');
    expect(footerKeyValues(bytes.subarray(footer.start, bytes.length - 8)).at(-1)).toEqual({ key: 'extra', value: null });
  });
});

describe('readableArrowSchema', () => {
  it("retypes polars' dictionary<Utf8View> to dictionary<Utf8>, keeping index type, id, ordering and metadata", () => {
    const cat = new Field('cat', new Dictionary(new Utf8View(), new Uint32(), 3, true), true, new Map([['_PL_CATEGORICAL2', '0;0;u32;']]));
    const nested = new Field('lst', new LargeList(new Field('item', new Dictionary(new Utf8View(), new Int8(), 7), true)), true);
    const schema = new Schema([cat, new Field('x', new Float64()), nested, new Field('s', new Utf8View())], new Map([['k', 'v']]));
    const out = decodeSchema(readableArrowSchema(encodeSchema(schema))!);
    expect(out.fields.map(String)).toEqual(['cat: Dictionary<Uint32, Utf8>', 'x: Float64', 'lst: LargeList<Dictionary<Int8, Utf8>>', 's: Utf8View']);
    const t = out.fields[0].type as Dictionary;
    expect([t.id, t.isOrdered]).toEqual([3, true]);
    expect((out.fields[2].type.children[0].type as Dictionary).id).toBe(7);
    expect([...out.fields[0].metadata]).toEqual([['_PL_CATEGORICAL2', '0;0;u32;']]);
    expect([...out.metadata]).toEqual([['k', 'v']]);
  });

  it('a corrupt schema message (a byte flipped, a length made huge) gives a schema or null: never a throw or running out of memory', async () => {
    const footer = (await readFooter(await openAsBlob(CAT)))!;
    const message = Buffer.from(footerKeyValues(footer.bytes).find((e) => e.key === 'ARROW:schema')!.value!, 'base64');
    expect(arrowSchemaMessageSound(message)).toBe(true);
    const variants: Buffer[] = [];
    for (let i = 0; i < message.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const m = Buffer.from(message);
        m[i] ^= bit;
        variants.push(m);
      }
      if (i % 4 === 0 && i + 4 <= message.length) {
        // apache-arrow trusts flatbuffer vector lengths: a huge one made it loop until the heap ran out.
        const m = Buffer.from(message);
        m.writeUInt32LE(0x7fffffff, i);
        variants.push(m);
      }
    }
    const results = new Set<string>();
    for (const m of variants) results.add(readableArrowSchema(m.toString('base64')) === null ? 'null' : 'schema');
    expect(results).toEqual(new Set(['null', 'schema']));
  });

  it('arrowSchemaMessageSound refuses truncated and empty messages', async () => {
    const footer = (await readFooter(await openAsBlob(CAT)))!;
    const message = Buffer.from(footerKeyValues(footer.bytes).find((e) => e.key === 'ARROW:schema')!.value!, 'base64');
    expect(arrowSchemaMessageSound(message.subarray(0, message.length >> 1))).toBe(false);
    expect(arrowSchemaMessageSound(new Uint8Array(0))).toBe(false);
    expect(arrowSchemaMessageSound(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]))).toBe(false);
  });

  it('leaves other schemas, BinaryView dictionaries and undecodable values alone (null)', () => {
    expect(readableArrowSchema(encodeSchema(new Schema([new Field('x', new Float64())])))).toBeNull();
    expect(readableArrowSchema(encodeSchema(new Schema([new Field('b', new Dictionary(new BinaryView(), new Uint32(), 0))])))).toBeNull();
    expect(readableArrowSchema('not a schema')).toBeNull();
  });
});

describe('polars Categorical input through the rewritten footer', () => {
  it('small batches give the same rows as one batch (a dictionary per batch)', async () => {
    const rows = async (batchRows: number): Promise<unknown[][]> => {
      const out: unknown[][] = [];
      for await (const item of parquetRecordBatches(CAT, { batchRows })) if ('rows' in item) out.push(...item.rows);
      return out;
    };
    const whole = await rows(1000);
    expect(whole.length).toBe(40);
    expect(whole.slice(0, 4).map((r) => r[0])).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    expect(await rows(7)).toEqual(whole);
  });

  it('an odd but valid footer (long-form field header, 20 entries, an entry without a value) is read', async () => {
    const { prefix, footer } = split(CAT);
    // Field 5 (list of structs) as a short-form header 0x19, a 1-entry struct list 0x1c, then the key.
    const at = footer.indexOf(Buffer.concat([Buffer.from([0x19, 0x1c, 0x18, 12]), Buffer.from('ARROW:schema')]));
    expect(at).toBeGreaterThan(0);
    // Long form: type 9 with a zero delta, then the field id 5 as a zigzag varint (10).
    const longForm = Buffer.concat([footer.subarray(0, at), Buffer.from([0x09, 0x0a]), footer.subarray(at + 1)]);
    const entries: KeyValue[] = [{ key: 'no value', value: null }, ...footerKeyValues(longForm)];
    for (let i = 0; entries.length < 20; i++) entries.push({ key: `k${i} é`, value: 'v'.repeat(i) });
    const odd = withFooterFile('odd.parquet', prefix, replaceKeyValues(longForm, entries));
    const r = await runCli(['inspect', odd]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cat\s+feature\s+categorical \(Dictionary<Uint32, Utf8>\), 4 categories/);
  });

  it.each([
    ['a key-value list longer than the footer', (f: Buffer) => {
      // The 1-entry list header (0x1c) made a long-form one: its size is then read from the next byte (24).
      const out = Buffer.from(f);
      out[f.indexOf(Buffer.from([0x1c, 0x18, 12]))] = 0xfc;
      return out;
    }],
    ['an ARROW:schema that is not a schema', (f: Buffer) => replaceKeyValues(f, footerKeyValues(f).map((e) => (e.key === 'ARROW:schema' ? { key: e.key, value: Buffer.from('garbage').toString('base64') } : e)))],
    ['a footer cut in the middle', (f: Buffer) => f.subarray(0, f.length >> 1)],
  ])('%s: one-line REBALANCE_BAD_PARQUET (exit 3)', async (name, corrupt) => {
    const { prefix, footer } = split(CAT);
    const path = withFooterFile('corrupt.parquet', prefix, corrupt(footer));
    const r = await runCli(['resample', path, '-m', 'random-under', '-o', join(dir, 'corrupt.csv'), '-q']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('REBALANCE_BAD_PARQUET');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a footer length beyond the file start: one-line REBALANCE_BAD_PARQUET (exit 3)', async () => {
    const bytes = Buffer.from(readFileSync(CAT));
    bytes.writeUInt32LE(bytes.length, bytes.length - 8);
    const path = join(dir, 'long-footer.parquet');
    writeFileSync(path, bytes);
    const r = await runCli(['inspect', path]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('REBALANCE_BAD_PARQUET');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

});
