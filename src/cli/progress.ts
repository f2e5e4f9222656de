/**
 * A one-line progress display for a terminal's stderr, rewritten in place:
 *
 *   rebalance: kNN search 45% (450,000 of 1,000,000 rows), about 2 min left
 *   rebalance: pass 1, reading 1,234,567 rows          (a task whose total is not known yet)
 *
 * Commands create one only when stderr is a TTY and --quiet is off (pipes and CI logs get no
 * carriage returns). A task shorter than SHOW_AFTER_MS never shows; the estimate of the time left
 * appears once a task has run for ESTIMATE_AFTER_MS; the line is redrawn at most every REDRAW_MS,
 * so callers may report as often as they like. Any other line written to stderr must go through
 * `clear()` first (commands wrap their log), or it would land after the progress text.
 */

/** A task must run this long before its line appears (short searches do not flash). */
export const SHOW_AFTER_MS = 1000;
/** ...and this long before the line estimates the time left. */
export const ESTIMATE_AFTER_MS = 3000;
/** Least milliseconds between two redraws of the line. */
export const REDRAW_MS = 200;

export interface ProgressLine {
  /**
   * Shows task `label` at `done` of `total` units (default 'rows'; total null: not known, only
   * the count shows), then `detail` (what runs now; it may change without starting a new task).
   * done >= total ends the task and clears the line.
   */
  update(label: string, done: number, total: number | null, unit?: string, detail?: string): void;
  /** Removes the line if one is showing (before other output to the stream, and at the end). */
  clear(): void;
}

export interface ProgressStream {
  write(text: string): unknown;
  /** Terminal width, when known: the line is cut to fit. */
  readonly columns?: number;
}

/** "about 2 min left" for `ms` milliseconds. */
export function formatTimeLeft(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `about ${s} s left`;
  const min = Math.round(s / 60);
  if (min < 60) return `about ${min} min left`;
  return `about ${Math.floor(min / 60)} h ${min % 60} min left`;
}

export function progressLine(stream: ProgressStream, now: () => number = () => performance.now()): ProgressLine {
  let showing = false;
  let drawn = -Infinity;
  // The task on the line: `done0` units were done at `started` (the first report may come late).
  let task: { label: string; total: number | null; started: number; done0: number; done: number } | null = null;
  const clear = (): void => {
    if (showing) stream.write('\r\x1b[K');
    showing = false;
  };
  return {
    update(label, done, total, unit = 'rows', detail = '') {
      const t = now();
      // A new task: another label or total, or a count that went back (the next search).
      if (!task || task.label !== label || task.total !== total || done < task.done) task = { label, total, started: t, done0: done, done };
      task.done = done;
      if (total !== null && done >= total) {
        clear();
        task = null;
        return;
      }
      const elapsed = t - task.started;
      if (elapsed < SHOW_AFTER_MS || t - drawn < REDRAW_MS) return;
      drawn = t;
      const count = done.toLocaleString('en-US');
      let text: string;
      if (total === null) {
        text = `rebalance: ${label} ${count} ${unit}`;
      } else {
        text = `rebalance: ${label} ${Math.floor((100 * done) / Math.max(1, total))}% (${count} of ${total.toLocaleString('en-US')} ${unit})`;
        const rate = (done - task.done0) / elapsed;
        if (elapsed >= ESTIMATE_AFTER_MS && rate > 0) text += `, ${formatTimeLeft((total - done) / rate)}`;
      }
      if (detail) text += `: ${detail}`;
      const width = stream.columns;
      if (width && text.length >= width) text = text.slice(0, Math.max(1, width - 1));
      stream.write(`\r${text}\x1b[K`);
      showing = true;
    },
    clear,
  };
}
