// A column of the analyzer's statistics tables (StatsTable.svelte).
export interface Column<Row> {
  key: string;
  label: string;
  /** The cell's text. */
  text: (row: Row) => string;
  /** What it sorts by (numbers sort as numbers). */
  sort: (row: Row) => number | string;
  numeric?: boolean;
}
