/**
 * Progress reports of a kNN search (KnnProgress in types.ts), shared by the backends: how often
 * they go out. Display is the CLI's business (cli/progress.ts).
 */

/** Least milliseconds between two progress reports of a search (KnnProgress). */
export const PROGRESS_INTERVAL_MS = 500;

/** `report` called at most once per `intervalMs`: the calls in between are dropped. */
export function throttled(
  report: (done: number) => void, intervalMs = PROGRESS_INTERVAL_MS, clock: () => number = () => performance.now(),
): (done: number) => void {
  let last = clock();
  return (done) => {
    const now = clock();
    if (now - last < intervalMs) return;
    last = now;
    report(done);
  };
}
