/**
 * The binary files the distributed kNN steps exchange (points, partial and merged neighbour
 * lists): 'RBD1', a u32 header length, a JSON header (metadata + the arrays' names, types and
 * lengths), then each typed array 8-byte aligned, little-endian. Written atomically.
 */
import { readFile } from 'node:fs/promises';
import { DataError } from '../core/errors.js';
import { ioErrorFrom } from '../io/fs-errors.js';
import { openTarget } from '../io/output.js';

type Typed = Float64Array | Float32Array | Int32Array;
const TYPES = { f64: Float64Array, f32: Float32Array, i32: Int32Array } as const;
type TypeName = keyof typeof TYPES;

function typeName(a: Typed): TypeName {
  return a instanceof Float64Array ? 'f64' : a instanceof Float32Array ? 'f32' : 'i32';
}

const MAGIC = [0x52, 0x42, 0x44, 0x31]; // RBD1

export async function writeBlob(path: string, meta: Record<string, unknown>, arrays: Record<string, Typed>): Promise<void> {
  const names = Object.keys(arrays);
  const header = new TextEncoder().encode(JSON.stringify({ meta, arrays: names.map((n) => ({ name: n, type: typeName(arrays[n]), length: arrays[n].length })) }));
  const headLen = Math.ceil((8 + header.length) / 8) * 8;
  const head = new Uint8Array(headLen);
  head.set(MAGIC, 0);
  new DataView(head.buffer).setUint32(4, header.length, true);
  head.set(header, 8);
  const target = await openTarget(path);
  try {
    await target.write(head);
    for (const n of names) {
      const a = arrays[n];
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      await target.write(bytes.slice());
      const pad = (8 - (a.byteLength % 8)) % 8;
      if (pad) await target.write(new Uint8Array(pad));
    }
    await target.commit();
  } catch (e) {
    await target.abort();
    throw e;
  }
}

export interface Blob {
  readonly meta: Record<string, unknown>;
  readonly arrays: Record<string, Typed>;
}

export async function readBlob(path: string): Promise<Blob> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw ioErrorFrom(e, path, 'read');
  }
  const bad = (): DataError => new DataError('REBALANCE_BAD_DIST_FILE', `${path} is not a rebalance dist points/neighbours file; give the file a 'rebalance dist points/knn/merge' step wrote`);
  if (buf.length < 8 || MAGIC.some((b, i) => buf[i] !== b)) throw bad();
  const len = buf.readUInt32LE(4);
  let header: { meta: Record<string, unknown>; arrays: { name: string; type: TypeName; length: number }[] };
  try {
    header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8'));
  } catch {
    throw bad();
  }
  let off = Math.ceil((8 + len) / 8) * 8;
  const arrays: Record<string, Typed> = {};
  for (const a of header.arrays) {
    const T = TYPES[a.type];
    if (!T) throw bad();
    const bytes = a.length * T.BYTES_PER_ELEMENT;
    if (off + bytes > buf.length) throw bad();
    const copy = new Uint8Array(bytes);
    copy.set(buf.subarray(off, off + bytes));
    arrays[a.name] = new T(copy.buffer);
    off += Math.ceil(bytes / 8) * 8;
  }
  return { meta: header.meta, arrays };
}
