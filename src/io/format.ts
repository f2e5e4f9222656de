/**
 * Input/output formats: chosen by --format, else by magic bytes (input) or extension (output).
 */
import { UsageError } from '../core/errors.js';

export type InputFormat = 'csv' | 'arrow';
export type OutputFormat = 'csv' | 'tsv' | 'arrow' | 'arrows';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['csv', 'tsv', 'arrow', 'arrows'];

/** Arrow IPC file magic ("ARROW1") or stream continuation marker (0xFFFFFFFF). */
export function sniffFormat(head: Uint8Array): InputFormat {
  if (head.length >= 6 && String.fromCharCode(...head.subarray(0, 6)) === 'ARROW1') return 'arrow';
  if (head.length >= 8 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) {
    return 'arrow';
  }
  return 'csv';
}

export function isArrowFileMagic(head: Uint8Array): boolean {
  return head.length >= 6 && String.fromCharCode(...head.subarray(0, 6)) === 'ARROW1';
}

/** Output format from --format or the file extension; stdout defaults to the input's kind (csv for csv). */
export function outputFormatFor(path: string | undefined, explicit: string | undefined, inputFormat: InputFormat): OutputFormat {
  if (explicit !== undefined) {
    const f = explicit.toLowerCase() === 'feather' ? 'arrow' : explicit.toLowerCase();
    if ((OUTPUT_FORMATS as readonly string[]).includes(f)) return f as OutputFormat;
    throw new UsageError('REBALANCE_BAD_FORMAT', `--format must be one of ${OUTPUT_FORMATS.join(', ')}; got '${explicit}'`);
  }
  if (path && path !== '-') {
    const lower = path.toLowerCase();
    if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
    if (lower.endsWith('.arrow') || lower.endsWith('.feather') || lower.endsWith('.ipc')) return 'arrow';
    if (lower.endsWith('.arrows')) return 'arrows';
    if (lower.endsWith('.csv') || lower.endsWith('.txt')) return 'csv';
  }
  return inputFormat === 'arrow' && path && path !== '-' ? 'arrow' : inputFormat === 'arrow' ? 'arrows' : 'csv';
}
