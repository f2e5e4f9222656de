// The CSV counting pass's field splitter (compiled by scripts/build-wasm.mjs into its own module):
// src/io/csv-cells.ts splitRecord over many simple records at once (records without quotes or
// CRs, as csv-tokenizer.ts finds them), the same fields and classes and the same exact values.
// No allocation: JavaScript lays out every region and passes byte offsets.
//
// buf: the batch's bytes. recs: i32 pairs [start, end) per record. Per record r and field j < nCols
// (slot r * nCols + j): start / end (i32) of the field, cls (u8: 1 Int, 2 Float, 4 Unknown,
// 5 Empty, 6 MaybeNa), value (f64, for Int / Float); nf (i32 per record): its number of fields.
// naLast: 256 bytes, 1 where an NA spelling ends in that byte. The byte at each record's end is
// '\n' or '\r' (the line ending, or a '\n' the caller writes after the last record): a record's
// bytes hold neither, so the digit loops need no bounds check.

// @ts-ignore: decorator
@lazy const POW10: StaticArray<f64> = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

export function splitRecords(
  buf: usize, recs: usize, nRecs: i32, delim: i32, nCols: i32,
  starts: usize, ends: usize, cls: usize, values: usize, nfs: usize,
  naMax: i32, naLast: usize,
): void {
  for (let r = 0; r < nRecs; r++) {
    let p = <i32>load<i32>(recs + (<usize>r << 3));
    const end = <i32>load<i32>(recs + (<usize>r << 3), 4);
    const slot0 = <usize>r * <usize>nCols;
    let nf = 0;
    for (;;) {
      if (nf === nCols) {
        // Fields past the header's count: count the rest.
        let count = nf + 1;
        for (let q = p; q < end; q++) if (<i32>load<u8>(buf + <usize>q) === delim) count++;
        nf = count;
        break;
      }
      const s = p;
      let c: i32 = <i32>load<u8>(buf + <usize>p);
      let neg = false;
      if (c === 45 || c === 43) {
        neg = c === 45;
        p++;
        c = <i32>load<u8>(buf + <usize>p);
      }
      let w: f64 = 0;
      let nd = 0;
      while (<u32>(c - 48) <= 9) {
        w = w * 10 + <f64>(c - 48);
        nd++;
        p++;
        c = <i32>load<u8>(buf + <usize>p);
      }
      let frac = 0;
      let dot = false;
      if (c === 46) {
        dot = true;
        p++;
        c = <i32>load<u8>(buf + <usize>p);
        while (<u32>(c - 48) <= 9) {
          w = w * 10 + <f64>(c - 48);
          frac++;
          p++;
          c = <i32>load<u8>(buf + <usize>p);
        }
      }
      // Past the record: its line ending (no digit, '.', sign or delimiter unless the delimiter is one: never).
      if (p >= end) c = -1;
      const slot = slot0 + <usize>nf;
      let k: u8;
      if ((c === delim || c === -1) && nd + frac > 0 && nd + frac <= 15) {
        const v = frac === 0 ? w : w / unchecked(POW10[frac]);
        store<f64>(values + (slot << 3), neg ? -v : v);
        k = dot ? 2 : 1;
      } else {
        while (c !== delim && c !== -1) {
          p++;
          c = p < end ? <i32>load<u8>(buf + <usize>p) : -1;
        }
        k = 4;
      }
      if (p === s) k = 5;
      else if (p - s <= naMax && load<u8>(naLast + <usize>load<u8>(buf + <usize>(p - 1))) === 1) k = 6;
      store<i32>(starts + (slot << 2), s);
      store<i32>(ends + (slot << 2), p);
      store<u8>(cls + slot, k);
      nf++;
      if (c === -1) break;
      p++;
    }
    store<i32>(nfs + (<usize>r << 2), nf);
  }
}
