/**
 * Record-aligned byte ranges of a CSV file for a parallel counting pass. In a file without quotes
 * a record starts right after a line ending ('\n', '\r\n' or a lone '\r'; a blank line read from
 * any byte on is still blank), so the first record start at or after an offset is found by
 * reading a little from there. Files with quotes are the caller's to detect (the ranges' readers
 * see any '"' byte) and to read sequentially: there a line ending may sit inside a quoted field.
 */
import { open } from 'node:fs/promises';
import { ioErrorFrom } from './fs-errors.js';

const LF = 10;
const CR = 13;
/** Bytes read at each cut to find the next line ending (a longer line: the cut is dropped). */
const PROBE = 1 << 20;

/** Bounds [0, b1, ..., size] of at most n ranges that start at record starts (fewer when lines are long). */
export async function recordRanges(path: string, size: number, n: number): Promise<number[]> {
  const bounds = [0];
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw ioErrorFrom(e, path, 'read');
  }
  try {
    const buf = Buffer.alloc(PROBE + 2);
    for (let i = 1; i < n; i++) {
      const o = Math.floor((size * i) / n);
      if (o <= bounds[bounds.length - 1]) continue;
      const { bytesRead } = await fh.read(buf, 0, buf.length, o - 1);
      const at = startAtOrAfter(buf.subarray(0, bytesRead), o - 1 + bytesRead >= size);
      if (at < 0) continue;
      const b = o - 1 + at;
      if (b > bounds[bounds.length - 1] && b < size) bounds.push(b);
    }
  } catch (e) {
    throw ioErrorFrom(e, path, 'read');
  } finally {
    await fh.close();
  }
  bounds.push(size);
  return bounds;
}

/**
 * Where the first record starting at index >= 1 of `bytes` begins (bytes[0] is the byte before
 * the cut), or -1 when no line ending is in reach. `eof`: the bytes run to the end of the file.
 */
export function startAtOrAfter(bytes: Uint8Array, eof: boolean): number {
  const n = bytes.length;
  if (n < 2) return -1;
  const prev = bytes[0];
  if (prev === LF) return 1;
  if (prev === CR && bytes[1] !== LF) return 1;
  for (let x = 1; x < n; x++) {
    const c = bytes[x];
    if (c === LF) return x + 1;
    if (c === CR) {
      if (x + 1 < n) return bytes[x + 1] === LF ? x + 2 : x + 1;
      return eof ? x + 1 : -1;
    }
  }
  return -1;
}
