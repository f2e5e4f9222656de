/**
 * `count --gather`: the count step's pass also keeps the rows of the partition's small classes
 * (their CSV records, byte for byte), so that the synthesize route needs no gather pass when
 * those are the classes the plan grows. The count step does not know the plan: it keeps every
 * class but the partition's largest, and gives a class up (frees its rows) as soon as it is
 * clearly not small - more than half of the rows read so far (after the first MIN_ROWS rows of
 * that class) - or when the kept bytes pass the budget (the class holding the most goes first).
 * What was kept is written in the partition's row order, with the input's header record: the rows
 * select --gather would write for those classes, as the file's own bytes.
 *
 * A class is listed in the summary only when every one of its rows was kept, and the file is
 * written (perhaps with no row) only when the partition dropped no row (missing values, bad rows):
 * a listed class is complete. The plan uses the files only when each partition lists exactly its
 * grown classes (plan.ts countGathered).
 */
import { open } from 'node:fs/promises';
import type { RecordKeeper } from '../dataset/scan-bytes.js';
import type { TableProfile } from '../dataset/scan.js';
import { ioErrorFrom } from '../io/fs-errors.js';

/**
 * A class leaves once it has more rows than this and more than half of the rows read so far,
 * unless it is the only class met yet (a partition sorted by label: its first class may be small).
 */
const MIN_ROWS = 64;
/** Kept bytes at most (the partition bounds them anyway): past it the class holding the most leaves. */
export const GATHER_BUDGET_BYTES = 32 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;

/** One class's kept records: their bytes in 1 MiB chunks (a record never spans two). */
class ClassRows {
  private chunks: Buffer[] = [];
  private chunk: Buffer | null = null;
  private pos = 0;
  /** Per kept record: its chunk, start and end. */
  private where: number[] = [];
  used = 0;
  count = 0;
  firstRow = -1;
  held = true;
  add(buf: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.chunk === null || this.pos + n > this.chunk.length) {
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, n));
      this.chunks.push(this.chunk);
      this.pos = 0;
    }
    this.chunk.set(buf.subarray(start, end), this.pos);
    this.where.push(this.chunks.length - 1, this.pos, this.pos + n);
    this.pos += n;
    this.used += n;
  }
  /** Kept record i's bytes. */
  bytes(i: number): Buffer {
    return this.chunks[this.where[3 * i]].subarray(this.where[3 * i + 1], this.where[3 * i + 2]);
  }
  drop(): void {
    this.held = false;
    this.chunks = [];
    this.chunk = null;
    this.where = [];
    this.used = 0;
  }
}

export class GatherKeeper implements RecordKeeper {
  private head: Buffer | null = null;
  private readonly byId: ClassRows[] = [];
  private rows = 0;
  private keptBytes = 0;
  private classes = 0;

  constructor(private readonly budget = GATHER_BUDGET_BYTES) {}

  header(bytes: Uint8Array): void {
    this.head = Buffer.from(bytes);
  }

  record(buf: Uint8Array, start: number, end: number, labelId: number, row: number): void {
    this.rows++;
    if (labelId < 0) return; // a row without a label: the partition drops it, nothing is listed
    let c = this.byId[labelId];
    if (c === undefined) {
      c = this.byId[labelId] = new ClassRows();
      c.firstRow = row;
      this.classes++;
    }
    c.count++;
    if (!c.held) return;
    if (c.count > MIN_ROWS && c.count * 2 > this.rows && this.classes > 1) {
      this.keptBytes -= c.used;
      c.drop();
      return;
    }
    c.add(buf, start, end);
    this.keptBytes += end - start;
    while (this.keptBytes > this.budget) {
      let most: ClassRows | null = null;
      for (const x of this.byId) if (x !== undefined && x.held && (most === null || x.used > most.used)) most = x;
      this.keptBytes -= most!.used;
      most!.drop();
    }
  }

  /**
   * The classes kept whole (by name) after the pass, never the partition's largest; null when
   * the pass did not read the bytes (no header seen) or dropped a row.
   */
  complete(profile: TableProfile): string[] | null {
    if (this.head === null || profile.droppedMissing + profile.droppedBadRows > 0 || this.rows !== profile.rowsRead) return null;
    const largest = profile.counts.reduce((b, n, c) => (n > profile.counts[b] ? c : b), 0);
    const codes = this.codes(profile);
    return profile.classNames.filter((_, c) => c !== largest && codes[c] !== undefined && codes[c].held && codes[c].count === profile.counts[c]);
  }

  /** Writes the header and the rows of `classes` (names, from complete()) in row order. */
  async write(path: string, profile: TableProfile, classes: readonly string[]): Promise<void> {
    if (this.head === null) throw new Error('internal: no header to write');
    const codes = this.codes(profile);
    const take = profile.classNames.map((n, c) => (classes.includes(n) ? codes[c] : undefined));
    const next = new Int32Array(profile.classNames.length);
    const out = Buffer.allocUnsafe(1 << 20);
    let len = 0;
    let fh;
    try {
      fh = await open(path, 'w');
    } catch (e) {
      throw ioErrorFrom(e, path, 'open');
    }
    try {
      const put = async (bytes: Uint8Array): Promise<void> => {
        if (len + bytes.length + 1 > out.length) {
          await fh.write(out, 0, len);
          len = 0;
        }
        if (bytes.length + 1 > out.length) {
          await fh.write(Buffer.concat([bytes, Buffer.from('\n')]));
          return;
        }
        out.set(bytes, len);
        len += bytes.length;
        out[len++] = 10;
      };
      await put(this.head);
      const labels = profile.labels;
      for (let r = 0; r < labels.length; r++) {
        const code = labels[r];
        const c = code >= 0 ? take[code] : undefined;
        if (c === undefined) continue;
        await put(c.bytes(next[code]++));
      }
      if (len > 0) await fh.write(out, 0, len);
    } catch (e) {
      throw ioErrorFrom(e, path, 'write');
    } finally {
      await fh.close();
    }
  }

  /** Final class code -> its kept rows (the pass's label ids map one to one onto the classes). */
  private codes(profile: TableProfile): (ClassRows | undefined)[] {
    const out: (ClassRows | undefined)[] = [];
    for (const c of this.byId) {
      if (c === undefined || c.firstRow < 0) continue;
      const code = profile.labels[c.firstRow];
      if (code >= 0) out[code] = c;
    }
    return out;
  }
}
