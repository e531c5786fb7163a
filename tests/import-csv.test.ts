import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv, toCsv } from '../dispatch-console/console/import/csv.ts';
import { parseCaregivers, parseDevices, parseResidents } from '../dispatch-console/console/import/rows.ts';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('CSV as spreadsheets write it', () => {
  it.each([
    ['plain', 'a,b\n1,2\n', [['a', 'b'], ['1', '2']]],
    ['CRLF', 'a,b\r\n1,2\r\n', [['a', 'b'], ['1', '2']]],
    ['no final line break', 'a,b\n1,2', [['a', 'b'], ['1', '2']]],
    ['a BOM', '\uFEFFa,b\n1,2\n', [['a', 'b'], ['1', '2']]],
    ['quoted comma', 'a,b\n"x, y",2\n', [['a', 'b'], ['x, y', '2']]],
    ['quoted line breaks (LF and CRLF)', 'a,b\n"line 1\nline 2\r\nline 3",2\n', [['a', 'b'], ['line 1\nline 2\r\nline 3', '2']]],
    ['doubled quotes', 'a\n"say ""hi"""\n', [['a'], ['say "hi"']]],
    ['empty fields', 'a,b,c\n,,\n', [['a', 'b', 'c'], ['', '', '']]],
    ['empty quoted field last', 'a,b\n1,""\n', [['a', 'b'], ['1', '']]],
    ['blank line kept (numbering)', 'a\n\n1\n', [['a'], [''], ['1']]],
    ['non-ASCII', 'name\n黄雪英\n', [['name'], ['黄雪英']]],
  ])('%s', (_what, text, expected) => {
    expect(fields(text)).toEqual(expected);
  });

  it('numbers records as a spreadsheet does: a quoted line break does not start a new row', () => {
    expect(parseCsv('h\n"a\nb\nc"\nd\n').map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it.each([
    ['an unclosed quote', 'a\n"open\n', 2],
    ['text after a closing quote', 'a\n"x"y\n', 2],
    ['a quote inside an unquoted field', 'a\nx"y\n', 2],
  ])('refuses %s, naming its line', (_what, text, line) => {
    expect(() => parseCsv(text)).toThrow(CsvSyntaxError);
    try {
      parseCsv(text);
    } catch (err) {
      expect((err as CsvSyntaxError).line).toBe(line);
    }
  });

  it('writes what it reads back', () => {
    const rows = [['id', 'secret'], ['a,b', 'say "x"'], ['line\nbreak', ' padded ']];
    expect(fields(toCsv(rows))).toEqual(rows);
  });
});

describe('import rows', () => {
  it('reads residents with contacts, empty cells as absent', () => {
    const { rows, issues } = parseResidents(
      'ref,name,grid,address,phone,notes,contact1_name,contact1_phone,contact1_relation,contact2_name,contact2_phone\n' +
        'R1, Wang Li ,D/S/C/G,"1 Lane, Flat 2",+86 138 0000 0001,"diabetic\nkey safe 4711",Wang Jun,+8613900000001,son,,\n',
    );
    expect(issues).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        ref: 'R1',
        name: 'Wang Li',
        grid: ['D', 'S', 'C', 'G'],
        address: '1 Lane, Flat 2',
        phone: '+86 138 0000 0001',
        notes: 'diabetic\nkey safe 4711',
        access: null,
        contacts: [{ name: 'Wang Jun', phone: '+8613900000001', relation: 'son' }],
      },
    ]);
  });

  it('reports every bad row and header with its line and column', () => {
    const r = parseResidents('ref,name,grid,phone,colour,contact1_name,contact1_phone\nR1,,D/S/C/G,,,,\nR2,B,D/S,,,,\nR3,C,D/S/C/G,not a phone,,Kid,\n');
    expect(r.issues.map((i) => [i.line, i.field])).toEqual([
      [1, 'colour'],
      [2, 'name'],
      [3, 'grid'],
      [4, 'phone'],
      [4, 'contact1_phone'],
    ]);
    expect(r.issues[1]!.reason).toBe('required');
    const d = parseDevices('id,kind,resident_ref\n,pendant,R1\nw1,wearable,R1\n,toaster,R1\n,pendant,\n');
    expect(d.issues.map((i) => [i.line, i.field])).toEqual([
      [3, 'resident_ref'],
      [4, 'kind'],
      [5, 'id'],
    ]);
    const c = parseCaregivers('ref,name,phone,role,grids\nC1,Zhao,,nurse,\n,Qian,,,D/S/C/G/X\n');
    expect(c.issues.map((i) => [i.line, i.field])).toEqual([
      [2, 'role'],
      [3, 'grids'],
    ]);
    expect(parseResidents('name,grid\n').issues.map((i) => i.field)).toEqual(['ref']);
  });
});
