/**
 * Text a person reads (messages, notices, summaries, reports): control characters from the data
 * (column and class names, cell values, file names) are shown escaped, never passed to a terminal
 * or a report. Data output is never escaped.
 */

/**
 * C0 controls (but tab and newline), DEL, C1 controls (the 8-bit CSI/OSC introducers included) and
 * the Unicode bidirectional overrides/isolates that can reorder what a terminal shows.
 */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
/** The same, tab and newline included (for text that must stay on one line). */
const CONTROL_ONE_LINE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `s` with every control character shown as `\uXXXX` (the JSON escape, so JSON text stays valid
 * JSON: those characters can only appear inside its strings). Newlines and tabs are kept unless
 * `oneLine`.
 */
export function escapeControls(s: string, oneLine = false): string {
  return s.replace(oneLine ? CONTROL_ONE_LINE : CONTROL, hex);
}

/** True when `s` holds a character escapeControls would escape. */
export function hasControls(s: string, oneLine = false): boolean {
  const re = oneLine ? CONTROL_ONE_LINE : CONTROL;
  re.lastIndex = 0;
  const found = re.test(s);
  re.lastIndex = 0;
  return found;
}
