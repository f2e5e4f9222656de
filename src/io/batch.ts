/**
 * What readers yield and writers take: row-major cells, so original rows can be written back
 * exactly as they came in. CSV cells are the field text ('' = missing); Arrow cells are the
 * native values apache-arrow returns (number, bigint, boolean, string, null = missing, ...).
 */
export type Cell = string | number | bigint | boolean | null | undefined | object;

export interface RowBatch {
  /** Source row index (0-based, data rows only) of rows[0]. */
  readonly offset: number;
  readonly rows: Cell[][];
}

export interface SourceColumn {
  readonly name: string;
}
