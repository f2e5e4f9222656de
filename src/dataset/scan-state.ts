/**
 * The running state of the counting pass that both read paths fill (dataset/scan.ts's loop over
 * batches(), dataset/scan-bytes.ts's byte path, dataset/scan-range.ts's merged ranges): per-column
 * trackers, growable Int32 row lists, and the pass's limits.
 */
import { classifyBool, classifyNumber, NumClass } from '../io/cells.js';

/** ISO 8601 dates and timestamps as CSV text: 2024-01-31, 2024-01-31T12:00:00Z, 2024-01-31 12:00:00.123+01:00. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export class GrowInt32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

export const MAX_DISTINCT = 100_000;
/** Row numbers are Int32 (labels, row ids, provenance). */
export const MAX_ROWS = 2 ** 31 - 2;

/** Per-column running state of the counting pass. */
export class ColumnTracker {
  nonMissing = 0;
  numeric = 0;
  ints = 0;
  bools = 0;
  nonFinite = 0;
  firstText: { row: number; value: string } | null = null;
  firstNonFinite = -1;
  missingRows = new GrowInt32();
  nonFiniteRows = new GrowInt32();
  distinct: Map<string, number> | null = new Map();
  boolText: [string, string] = ['false', 'true'];
  /** Bit b: boolText[b] was set from a cell. */
  boolSet = 0;
  /** Text values that look like ISO 8601 dates. */
  isoDates = 0;
  /** Integer values seen while every one so far is distinct (null after the first repeat or past MAX_DISTINCT). */
  uniqueInts: Set<string> | null = new Set();

  constructor(readonly forcedCategorical = false) {}

  /** A non-empty cell's text; returns its number class (NotNumber for forced categoricals). */
  addText(s: string, row: number): NumClass {
    this.nonMissing++;
    if (this.forcedCategorical) {
      this.addDistinct(s);
      return NumClass.NotNumber;
    }
    const cls = classifyNumber(s);
    if (cls !== NumClass.NotNumber) {
      this.numeric++;
      if (cls === NumClass.Int) {
        this.ints++;
        if (this.uniqueInts !== null) this.addIntKey(s.charCodeAt(0) === 43 ? s.slice(1) : s);
      } else if (cls === NumClass.NonFinite) {
        this.nonFinite++;
        this.nonFiniteRows.push(row);
      }
      return cls;
    }
    this.addNonNumeric(s, row);
    return cls;
  }

  /** An integer cell's text (sign '+' removed) while every one so far is distinct. */
  addIntKey(key: string): void {
    const u = this.uniqueInts!;
    if (u.has(key) || u.size >= MAX_DISTINCT) this.uniqueInts = null;
    else u.add(key);
  }

  /** A cell that is not a number (counted in nonMissing by the caller). */
  addNonNumeric(s: string, row: number): void {
    const b = classifyBool(s);
    if (b >= 0) {
      this.bools++;
      this.boolText[b] = s;
      this.boolSet |= 1 << b;
    }
    if (this.firstText === null) this.firstText = { row, value: s };
    if (s.length >= 10 && s.charCodeAt(4) === 45 && ISO_DATE.test(s)) this.isoDates++;
    this.addDistinct(s);
  }

  addDistinct(s: string): void {
    const d = this.distinct;
    if (d === null) return;
    d.set(s, (d.get(s) ?? 0) + 1);
    if (d.size > MAX_DISTINCT) this.distinct = null;
  }

  addNumber(x: number, row: number, int = false): void {
    this.nonMissing++;
    this.numeric++;
    if (int && this.uniqueInts !== null) {
      const key = String(x);
      if (this.uniqueInts.has(key) || this.uniqueInts.size >= MAX_DISTINCT) this.uniqueInts = null;
      else this.uniqueInts.add(key);
    }
    if (!Number.isFinite(x)) {
      this.nonFinite++;
      this.nonFiniteRows.push(row);
    }
  }
}
