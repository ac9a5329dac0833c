import { sqlJson, sqlString, sqlTextArray } from './sql-literal';

describe('SQL literals', () => {
  it('doubles quotes, and writes an escape string when there is a backslash', () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString('a\\b')).toBe("E'a\\\\b'");
    expect(sqlString("'\\'")).toBe("E'''\\\\'''");
  });

  it('quotes every array element, escaping quotes and backslashes inside it; null is NULL', () => {
    expect(sqlTextArray(['a', 'b c', null])).toBe(`'{"a","b c",NULL}'`);
    expect(sqlTextArray(['say "hi"', 'back\\slash', "o'clock"])).toBe(`E'{"say \\\\"hi\\\\"","back\\\\\\\\slash","o''clock"}'`);
    expect(sqlTextArray([])).toBe(`'{}'`);
  });

  it('writes JSON as a string literal', () => {
    expect(sqlJson({ a: "it's", b: 'x"y' })).toBe(`E'{"a":"it''s","b":"x\\\\"y"}'`);
  });
});
