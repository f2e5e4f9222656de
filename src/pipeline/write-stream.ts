/**
 * The one writing pass of a streaming sampler (scope 'stream'): each row written in place as many
 * times as the selection says, the rows it asks for held, then the copies after the input.
 * Memory: the labels (the counting pass) and the held rows.
 */
import { holdRow, type PassRow, type RowWriter } from '../io/row-writer.js';
import type { StreamSelection } from '../types.js';
import { eachPassRow, type Pass } from './passes.js';

export async function writeStream(pass: Pass, raw: boolean, selection: StreamSelection, writer: RowWriter): Promise<void> {
  const held: { row: PassRow; r: number; code: number }[] = [];
  await eachPassRow(pass, raw, (row, r, code) => {
    const times = selection.write(code);
    if (selection.hold()) held.push({ row: holdRow(row), r, code });
    return writer.originals(row, r, code, times); // no promise per row unless the writer must wait
  });
  for (const i of selection.copies()) {
    const h = held[i];
    const p = writer.copy(h.row, h.r, h.code);
    if (p) await p;
  }
}
