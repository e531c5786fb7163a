/**
 * CSV as spreadsheets write it (RFC 4180): fields separated by commas, records by CRLF or LF,
 * a field in double quotes may hold commas, line breaks and doubled quotes (""), a UTF-8 BOM
 * at the start is dropped. Small and strict on purpose: a quote in the middle of an unquoted
 * field, or an unclosed quote, is an error with the record's number rather than a silent guess.
 */

export interface CsvRecord {
  /** As a spreadsheet numbers rows: the first record is line 1, a quoted line break does not start a new one. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Every record, blank ones included (so numbering matches the sheet); the caller skips blanks. */
export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let i = 0;
  let line = 1;
  // true once the current field began with a quote and that quote has been closed
  let closed = false;
  const endRecord = () => {
    fields.push(field);
    records.push({ line, fields });
    fields = [];
    field = '';
    closed = false;
    line++;
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"' && field === '' && !closed) {
      // a quoted field: read to its closing quote
      const start = line;
      i++;
      for (;;) {
        if (i >= s.length) throw new CsvSyntaxError(start, 'a quoted field is not closed (a " is missing)');
        const q = s[i]!;
        if (q === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += q;
        i++;
      }
      closed = true;
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      closed = false;
      i++;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
    } else if (closed) {
      throw new CsvSyntaxError(line, 'text after a closing quote: a field in quotes must end at the quote');
    } else if (c === '"') {
      throw new CsvSyntaxError(line, 'a quote inside an unquoted field: put the whole field in quotes and double the quote ("")');
    } else {
      field += c;
      i++;
    }
  }
  // the last record, unless the text ended with a line break
  if (field !== '' || fields.length > 0 || closed) endRecord();
  return records;
}

/** True for a record with nothing in it (a blank line, or a row of empty cells). */
export const isBlank = (r: CsvRecord) => r.fields.every((f) => f.trim() === '');

/** One CSV text from rows; fields quoted only when they need it. CRLF, as spreadsheets expect. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  const cell = (v: string) => (/[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
