/**
 * Names of the columns `predict` appends: `score` and `prediction`, suffixed `_1`, `_2`, ...
 * when the input already has a column of that name (a table scored twice keeps both scores).
 */
export const PREDICTION_COLUMNS = ['score', 'prediction'] as const;

/** `wanted`, or the first of wanted_1, wanted_2, ... not in `taken`. */
export function freeColumnName(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let i = 1; ; i++) if (!taken.has(`${wanted}_${i}`)) return `${wanted}_${i}`;
}

/** The score and prediction column names for an input with `columns`. */
export function predictionColumnNames(columns: readonly string[]): [score: string, prediction: string] {
  const taken = new Set(columns);
  const score = freeColumnName(PREDICTION_COLUMNS[0], taken);
  taken.add(score);
  return [score, freeColumnName(PREDICTION_COLUMNS[1], taken)];
}
