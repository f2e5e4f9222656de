/**
 * fast-check generators of CSV files whose records are known: a table of cells serialized with
 * random (but valid) quoting, line endings mixed per line ('\n', '\r\n', '\r'), blank lines
 * (empty, spaces, tabs) between records, lines of other Unicode spaces as records, quoted fields
 * with embedded delimiters, quotes and line endings, spaces after closing quotes, a BOM. The
 * expected records are the table's rows: the oracle for both CSV passes at any chunk size.
 */
import fc from 'fast-check';

export interface RecordsCase {
  readonly bytes: Buffer;
  readonly delimiter: string;
  /** The records a reader must see (every field as text). */
  readonly records: string[][];
}

/** Unicode spaces (and other whitespace JavaScript's trim() removes) that are data, not blank. */
export const UNICODE_SPACES = ['\u00a0', '\u1680', ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)), '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\f', '\v', '\u0085'];

const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('1', '-2.5', 'x', 'abc', 'é', '漢字', '👍', '1e5', 'NaN') },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE_SPACES) },
  { weight: 2, arbitrary: fc.constantFrom(' ', '\t', '"', '""', ',', ';', '|', '\n', '\r', '\r\n') },
);
const cell = fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 6, arbitrary: fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join('')) });

const blankLine = fc.constantFrom('', ' ', '\t', '  \t ');
const ending = fc.constantFrom('\n', '\r\n', '\r');

function needsQuotes(c: string, delim: string): boolean {
  return c.includes(delim) || c.includes('\n') || c.includes('\r') || c.startsWith('"');
}

/** True when the line would read as a blank line (empty, or spaces / tabs that are not the delimiter). */
function blankish(line: string, delim: string): boolean {
  for (const ch of line) if (!(ch === ' ' || ch === '\t') || ch === delim) return false;
  return true;
}

export const recordsCase: fc.Arbitrary<RecordsCase> = fc
  .record({
    delimiter: fc.constantFrom(',', '\t', ';', '|'),
    nCols: fc.integer({ min: 1, max: 4 }),
    nRows: fc.integer({ min: 1, max: 8 }),
    bom: fc.boolean(),
    finalEnding: fc.boolean(),
  })
  .chain(({ delimiter, nCols, nRows, bom, finalEnding }) =>
    fc
      .array(
        fc.record({
          cells: fc.array(cell, { minLength: nCols, maxLength: nCols }),
          quote: fc.array(fc.boolean(), { minLength: nCols, maxLength: nCols }),
          pad: fc.array(fc.constantFrom('', '', '', ' ', '  ', '\t'), { minLength: nCols, maxLength: nCols }),
          ending,
          blanks: fc.array(fc.tuple(blankLine, ending), { maxLength: 2 }),
        }),
        { minLength: nRows, maxLength: nRows },
      )
      .map((rows) => {
        let text = bom ? '\ufeff' : '';
        const records: string[][] = [];
        rows.forEach((row, i) => {
          // Blank lines: spaces and tabs, except the delimiter (a line of bare tabs in a TSV is a record).
          for (const [b, e] of row.blanks) text += (delimiter === '\t' ? b.replaceAll('\t', ' ') : b) + e;
          const fields = row.cells.map((c, j) => {
            // A BOM as the first character of the file is stripped: quote such a first cell.
            const bomFirst = i === 0 && j === 0 && !bom && c.startsWith('\ufeff');
            if (row.quote[j] || needsQuotes(c, delimiter) || bomFirst) {
              const pad = row.pad[j] === '\t' && delimiter === '\t' ? '' : row.pad[j];
              return `"${c.replaceAll('"', '""')}"${pad}`;
            }
            return c;
          });
          let line = fields.join(delimiter);
          // An unquoted row that reads as a blank line is not a record: quote its first cell.
          if (blankish(line, delimiter)) {
            fields[0] = `"${row.cells[0]}"`;
            line = fields.join(delimiter);
          }
          records.push(row.cells);
          text += line + (i < rows.length - 1 || finalEnding ? row.ending : '');
        });
        return { bytes: Buffer.from(text, 'utf8'), delimiter, records };
      }),
  );
