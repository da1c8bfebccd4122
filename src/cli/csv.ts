// CSV (RFC 4180) to JSONL, so that a spreadsheet export can go into a JSONL datanet:
// the header row gives the keys, one JSON object per data row. Quoted fields, doubled
// quotes, CRLF or LF line ends and newlines inside quotes are all handled; anything
// ambiguous (a stray quote, a ragged row) is an error naming its line, never a guess.
//
// Unquoted cells that read as integers, decimals or booleans become JSON numbers and
// booleans; a quoted cell always stays a string, which is how a sheet keeps "007" or
// "true" as text. Numbers that a double cannot hold exactly stay strings too.

export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(
    /** 1-based line of the input where the problem is. */
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

export interface CsvField {
  value: string;
  quoted: boolean;
}

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: CsvField[];
}

/** Splits CSV text into records of fields, exactly as written. */
export function parseCsv(input: string): CsvRecord[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const n = text.length;
  const records: CsvRecord[] = [];
  let fields: CsvField[] = [];
  let i = 0;
  let line = 1;
  let recordLine = 1;
  const atLineEnd = (j: number) => text[j] === '\n' || (text[j] === '\r' && text[j + 1] === '\n');

  for (;;) {
    let value = '';
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      const opened = line;
      i++;
      for (;;) {
        if (i >= n) throw new CsvError(opened, 'a quoted field is never closed');
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        value += c;
        i++;
      }
      if (i < n && text[i] !== ',' && !atLineEnd(i))
        throw new CsvError(line, `unexpected ${JSON.stringify(text[i])} after a closing quote (a quote inside a quoted field is written "")`);
    } else {
      while (i < n && text[i] !== ',' && !atLineEnd(i)) {
        if (text[i] === '"') throw new CsvError(line, 'a quote inside an unquoted field (quote the whole field and write the quote as "")');
        value += text[i];
        i++;
      }
    }
    fields.push({ value, quoted });
    if (i < n && text[i] === ',') {
      i++;
      continue;
    }
    records.push({ line: recordLine, fields });
    if (i >= n) break;
    i += text[i] === '\r' ? 2 : 1;
    line++;
    recordLine = line;
    fields = [];
    // A final line end does not start another record.
    if (i >= n) break;
  }
  return records;
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const DECIMAL = /^-?(?:0|[1-9][0-9]*)\.[0-9]+$/;

/** The JSON value of one cell: numbers and booleans for unquoted cells that read as such. */
export function cellValue(field: CsvField): string | number | boolean {
  const v = field.value;
  if (field.quoted) return v;
  if (v === 'true' || v === 'TRUE') return true;
  if (v === 'false' || v === 'FALSE') return false;
  if (INTEGER.test(v)) {
    const num = Number(v);
    return Number.isSafeInteger(num) ? num : v;
  }
  // Any decimal of at most 15 significant digits survives a round trip through a double.
  if (DECIMAL.test(v) && v.replace(/^-?0*\.?0*/, '').replace('.', '').length <= 15) return Number(v);
  return v;
}

/** Converts CSV text with a header row to JSONL text (one object per row, each line ending in \n). */
export function csvToJsonl(text: string): { jsonl: string; records: number } {
  // A blank line is one empty unquoted field: skip it rather than call it a ragged row.
  const rows = parseCsv(text).filter((r) => !(r.fields.length === 1 && !r.fields[0].quoted && r.fields[0].value === ''));
  if (rows.length === 0) throw new CsvError(1, 'the CSV is empty; the first row must name the columns');
  const [header, ...data] = rows;
  const keys = header.fields.map((f) => f.value);
  const seen = new Set<string>();
  keys.forEach((k, col) => {
    if (k === '') throw new CsvError(header.line, `column ${col + 1} of the header row has no name`);
    if (seen.has(k)) throw new CsvError(header.line, `the header names column ${JSON.stringify(k)} twice`);
    seen.add(k);
  });
  if (data.length === 0) throw new CsvError(header.line, 'the CSV has a header row but no records');
  let out = '';
  for (const row of data) {
    if (row.fields.length !== keys.length)
      throw new CsvError(row.line, `the record has ${row.fields.length} fields, but the header has ${keys.length}`);
    const record: Record<string, string | number | boolean> = {};
    row.fields.forEach((f, col) => {
      record[keys[col]] = cellValue(f);
    });
    out += JSON.stringify(record) + '\n';
  }
  return { jsonl: out, records: data.length };
}
