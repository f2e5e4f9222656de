/**
 * The Parquet footer (Thrift compact protocol FileMetaData) read just far enough to replace its
 * key-value metadata (field 5), every other field's bytes copied verbatim, and the file handed to
 * the reader as a Blob of [the file up to the footer, the new footer, its length, 'PAR1']: the
 * data pages are never copied and column chunk offsets stay valid (the prefix is unchanged).
 *
 * parquet-read.ts uses it to retype the ARROW:schema entry of polars Categorical/Enum columns
 * (dictionary<Utf8View>, which arrow-rs in parquet-wasm 0.8 cannot decode) to dictionary<Utf8>.
 * Anything malformed throws a FooterError; the caller then reads the file as it is.
 */

/** A footer that cannot be parsed (truncated, not compact protocol, too deep). */
export class FooterError extends Error {}

export interface KeyValue {
  readonly key: string;
  /** Absent (optional in the Thrift definition) is null. */
  readonly value: string | null;
}

/** The footer of a Parquet file: its Thrift bytes and where they start. */
export interface ParquetFooter {
  readonly bytes: Uint8Array;
  /** Offset of the footer in the file (= the length of the prefix that stays as it is). */
  readonly start: number;
}

const MAGIC = 'PAR1';

/** Reads the footer of a Parquet file given as a Blob; null when the tail is not plain 'PAR1' + length. */
export async function readFooter(blob: Blob): Promise<ParquetFooter | null> {
  const size = blob.size;
  if (size < 12) return null;
  const tail = new Uint8Array(await blob.slice(size - 8).arrayBuffer());
  if (String.fromCharCode(...tail.subarray(4)) !== MAGIC) return null;
  const len = new DataView(tail.buffer, tail.byteOffset).getUint32(0, true);
  if (len === 0 || len > size - 12) return null;
  const start = size - 8 - len;
  return { bytes: new Uint8Array(await blob.slice(start, size - 8).arrayBuffer()), start };
}

/** The file with `footer` (new Thrift bytes) in place of the old one: no data is copied. */
export function withFooter(blob: Blob, old: ParquetFooter, footer: Uint8Array): Blob {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, footer.length, true);
  return new Blob([blob.slice(0, old.start), footer, len, MAGIC]);
}

// Compact protocol type ids.
const T_TRUE = 1;
const T_FALSE = 2;
const T_BYTE = 3;
const T_I16 = 4;
const T_I32 = 5;
const T_I64 = 6;
const T_DOUBLE = 7;
const T_BINARY = 8;
const T_LIST = 9;
const T_SET = 10;
const T_MAP = 11;
const T_STRUCT = 12;
const MAX_DEPTH = 64;

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new FooterError('the footer ends early');
    return this.bytes[this.pos++];
  }

  /** An unsigned varint up to 2^53 (lengths, sizes; larger values are skipped, not returned exactly). */
  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return n;
      scale *= 128;
    }
    throw new FooterError('a varint is longer than 10 bytes');
  }

  skipBytes(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw new FooterError('a value runs past the end of the footer');
    this.pos += n;
  }

  binary(): Uint8Array {
    const n = this.varint();
    const start = this.pos;
    this.skipBytes(n);
    return this.bytes.subarray(start, start + n);
  }

  /** List/set header: element type and count. */
  listHeader(): { type: number; size: number } {
    const h = this.byte();
    const size = h >> 4 === 15 ? this.varint() : h >> 4;
    return { type: h & 0x0f, size };
  }

  /**
   * The next field header of a struct: null at its stop byte. `last` is the previous field id
   * (short-form headers give the id as a delta from it).
   */
  fieldHeader(last: number): { id: number; type: number } | null {
    const h = this.byte();
    if (h === 0) return null;
    const delta = h >> 4;
    let id: number;
    if (delta !== 0) id = last + delta;
    else {
      const z = this.varint();
      id = (z >>> 1) ^ -(z & 1);
    }
    return { id, type: h & 0x0f };
  }

  /** Skips one value of `type`; `inList`: booleans in lists and sets take one byte each. */
  skip(type: number, depth: number, inList = false): void {
    if (depth > MAX_DEPTH) throw new FooterError('the footer nests too deep');
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        if (inList) this.skipBytes(1);
        return;
      case T_BYTE:
        this.skipBytes(1);
        return;
      case T_I16:
      case T_I32:
      case T_I64:
        this.varint();
        return;
      case T_DOUBLE:
        this.skipBytes(8);
        return;
      case T_BINARY:
        this.skipBytes(this.varint());
        return;
      case T_LIST:
      case T_SET: {
        const { type: elem, size } = this.listHeader();
        for (let i = 0; i < size; i++) this.skip(elem, depth + 1, true);
        return;
      }
      case T_MAP: {
        const size = this.varint();
        if (size === 0) return;
        const kv = this.byte();
        for (let i = 0; i < size; i++) {
          this.skip(kv >> 4, depth + 1, true);
          this.skip(kv & 0x0f, depth + 1, true);
        }
        return;
      }
      case T_STRUCT: {
        let last = 0;
        for (;;) {
          const f = this.fieldHeader(last);
          if (!f) return;
          this.skip(f.type, depth + 1);
          last = f.id;
        }
      }
      default:
        throw new FooterError(`unknown compact-protocol type ${type}`);
    }
  }
}

const KEY_VALUE_FIELD = 5;
const utf8 = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** Where FileMetaData's key_value_metadata value lies (after its field header), and its entries. */
interface KeyValueField {
  /** Byte range of the list value (header excluded). */
  readonly start: number;
  readonly end: number;
  readonly entries: KeyValue[];
}

function findKeyValues(footer: Uint8Array): KeyValueField | null {
  const r = new Reader(footer);
  let last = 0;
  for (;;) {
    const f = r.fieldHeader(last);
    if (!f) return null;
    if (f.id === KEY_VALUE_FIELD && f.type === T_LIST) {
      const start = r.pos;
      const { type, size } = r.listHeader();
      if (type !== T_STRUCT) throw new FooterError('key_value_metadata is not a list of structs');
      const entries: KeyValue[] = [];
      for (let i = 0; i < size; i++) {
        let key: string | null = null;
        let value: string | null = null;
        let id = 0;
        for (;;) {
          const g = r.fieldHeader(id);
          if (!g) break;
          if (g.id === 1 && g.type === T_BINARY) key = utf8.decode(r.binary());
          else if (g.id === 2 && g.type === T_BINARY) value = utf8.decode(r.binary());
          else r.skip(g.type, 1);
          id = g.id;
        }
        if (key === null) throw new FooterError('a key-value entry has no key');
        entries.push({ key, value });
      }
      return { start, end: r.pos, entries };
    }
    r.skip(f.type, 0);
    last = f.id;
  }
}

/** The footer's key-value metadata (an empty list when it has none). Throws FooterError. */
export function footerKeyValues(footer: Uint8Array): KeyValue[] {
  return findKeyValues(footer)?.entries ?? [];
}

function varintBytes(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

function binaryBytes(s: string, out: number[]): void {
  const b = encoder.encode(s);
  varintBytes(b.length, out);
  for (const x of b) out.push(x);
}

/** Compact-protocol bytes of a list<KeyValue> value. */
function encodeKeyValues(entries: readonly KeyValue[]): Uint8Array {
  const out: number[] = [];
  if (entries.length < 15) out.push((entries.length << 4) | T_STRUCT);
  else {
    out.push(0xf0 | T_STRUCT);
    varintBytes(entries.length, out);
  }
  for (const e of entries) {
    out.push((1 << 4) | T_BINARY);
    binaryBytes(e.key, out);
    if (e.value !== null) {
      out.push((1 << 4) | T_BINARY);
      binaryBytes(e.value, out);
    }
    out.push(0);
  }
  return Uint8Array.from(out);
}

/**
 * The footer with its key-value metadata replaced by `entries`: the bytes before and after the
 * list value are copied verbatim (field ids are deltas from the previous id, which is unchanged).
 * Throws FooterError when the footer has no key-value metadata to replace or cannot be parsed.
 */
export function replaceKeyValues(footer: Uint8Array, entries: readonly KeyValue[]): Uint8Array {
  const kv = findKeyValues(footer);
  if (!kv) throw new FooterError('the footer has no key-value metadata');
  const list = encodeKeyValues(entries);
  const out = new Uint8Array(kv.start + list.length + (footer.length - kv.end));
  out.set(footer.subarray(0, kv.start), 0);
  out.set(list, kv.start);
  out.set(footer.subarray(kv.end), kv.start + list.length);
  return out;
}

/**
 * Whether an encapsulated Arrow IPC Schema message (the decoded ARROW:schema value) is sound
 * enough for apache-arrow to decode: every table, vector and string it walks (Message -> Schema ->
 * fields -> children, custom metadata) lies inside the bytes. apache-arrow's flatbuffer reader
 * trusts vector lengths, so one corrupt length makes it loop over billions of fields (out of
 * memory); this bounds every loop it will run by the message size. Not a full verifier: anything
 * it passes still decodes inside a try.
 */
export function arrowSchemaMessageSound(message: Uint8Array): boolean {
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const n = message.byteLength;
  const u32 = (at: number): number => (at >= 0 && at + 4 <= n ? view.getUint32(at, true) : -1);
  // Encapsulation: [0xFFFFFFFF] int32 length, then the flatbuffer (older writers omit the marker).
  let start = 4;
  let len = u32(0);
  if (len === 0xffffffff) {
    start = 8;
    len = u32(4);
  }
  if (len < 0 || start + len > n) return false;
  const end = start + len;
  let budget = Math.floor(len / 4) + 1;
  /** The table at `pos` (absolute): its field reader, or null when out of bounds. */
  const table = (pos: number): ((field: number) => number) | null => {
    if (pos < start || pos + 4 > end) return null;
    const vtable = pos - view.getInt32(pos, true);
    if (vtable < start || vtable + 4 > end) return null;
    const vlen = view.getUint16(vtable, true);
    if (vlen < 4 || vtable + vlen > end) return null;
    // Absolute position of field i's value, 0 when absent.
    return (i: number) => {
      const at = 4 + 2 * i;
      if (at + 2 > vlen) return 0;
      const off = view.getUint16(vtable + at, true);
      return off === 0 ? 0 : pos + off;
    };
  };
  /** Target of an offset field (absolute), 0 when absent, -1 when out of bounds. */
  const target = (at: number): number => {
    if (at === 0) return 0;
    if (at + 4 > end) return -1;
    const t = at + view.getUint32(at, true);
    return t >= start && t + 4 <= end ? t : -1;
  };
  /** A vector of offsets at `at`: the element positions, or null when it does not fit. */
  const vector = (at: number): number[] | null => {
    const v = target(at);
    if (v === 0) return [];
    if (v < 0) return null;
    const count = view.getUint32(v, true);
    if (count > (end - v - 4) / 4 || (budget -= count) < 0) return null;
    return Array.from({ length: count }, (_, i) => v + 4 + 4 * i);
  };
  const stringOk = (at: number): boolean => {
    const s = target(at);
    return s === 0 || (s > 0 && view.getUint32(s, true) <= end - s - 4);
  };
  const keyValuesOk = (at: number): boolean => {
    const kvs = vector(at);
    if (!kvs) return false;
    return kvs.every((e) => {
      const kv = table(target(e));
      return kv !== null && stringOk(kv(0)) && stringOk(kv(1));
    });
  };
  const fieldsOk = (at: number, depth: number): boolean => {
    if (depth > 64) return false;
    const fields = vector(at);
    if (!fields) return false;
    return fields.every((e) => {
      const f = table(target(e));
      if (!f || !stringOk(f(0))) return false;
      const type = target(f(3));
      const dictionary = target(f(4));
      if (type < 0 || dictionary < 0 || (type > 0 && !table(type)) || (dictionary > 0 && !table(dictionary))) return false;
      return fieldsOk(f(5), depth + 1) && keyValuesOk(f(6));
    });
  };
  const message_ = table(start + (u32(start) >>> 0));
  if (!message_) return false;
  const schema = table(target(message_(2)));
  return schema !== null && fieldsOk(schema(1), 0) && keyValuesOk(schema(2));
}
