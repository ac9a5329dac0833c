import { escapeLiteral } from 'pg';
import { sqlJson, sqlString, sqlTextArray } from './sql-literal';

describe('SQL literals', () => {
  it('doubles quotes, and writes an escape string when there is a backslash', () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString('a\\b')).toBe("E'a\\\\b'");
    expect(sqlString("'\\'")).toBe("E'''\\\\'''");
  });

  it("agrees with pg's escapeLiteral on every input (the same literal, without its leading space)", () => {
    const alphabet = ["'", '\\', '"', 'a', ' ', '\n', 'é', '{', '}', ',', 'z'];
    const inputs = ['', "it's", 'a\\b', "''\\\\''", JSON.stringify({ note: 'a\\b "x"', n: "o'clock" })];
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      let s = '';
      for (let j = 0; j < i % 17; j++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        s += alphabet[seed % alphabet.length];
      }
      inputs.push(s);
    }
    for (const input of inputs) expect(sqlString(input)).toBe(escapeLiteral(input).trimStart());
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
