import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse';

/** A row that could not be imported, and where it is, so the operator can look. */
export interface Rejection {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface CsvRow {
  readonly line: number;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * Reads a CSV file with a header row (csv-parse), yielding each row with its line number. Rows the
 * parser cannot read, or with the wrong number of fields, are reported through `reject` and skipped.
 */
export async function* readCsv(
  path: string,
  expectedColumns: readonly string[],
  reject: (rejection: Rejection) => void,
): AsyncGenerator<CsvRow> {
  const file = basename(path);
  const parser = createReadStream(path).pipe(
    parse({ columns: true, info: true, bom: true, skip_records_with_error: true, relax_quotes: false, trim: false }),
  );
  parser.on('skip', (error: Error & { lines?: number }) => reject({ file, line: error.lines ?? 0, reason: error.message }));
  let checkedHeader = false;
  for await (const entry of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    if (!checkedHeader) {
      const missing = expectedColumns.filter((column) => !(column in entry.record));
      if (missing.length > 0) throw new Error(`${file} has no column ${missing.join(', ')} (expected ${expectedColumns.join(',')})`);
      checkedHeader = true;
    }
    yield { line: entry.info.lines, fields: entry.record };
  }
}
