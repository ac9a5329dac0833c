import { FORBIDDEN_JSON_KEYS, jsonDepthProblem, jsonValueProblem, MAX_JSON_DEPTH, scanJson, textProblem } from './json-input';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('jsonDepthProblem', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more`, () => {
    expect(jsonDepthProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonDepthProblem(nested(MAX_JSON_DEPTH + 1))).toMatchObject({ reason: 'too_deep' });
  });

  it('reads 5,000 and 1,000,000 levels in one pass, without recursion', () => {
    expect(jsonDepthProblem(`{"a":${nested(5_000)}}`)).toMatchObject({ reason: 'too_deep' });
    expect(jsonDepthProblem(Buffer.from(nested(1_000_000)))).toMatchObject({ reason: 'too_deep' });
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '['.repeat(100), b: '\\"[[[[' + '{'.repeat(100), c: [[1]] });
    expect(jsonDepthProblem(text)).toBeUndefined();
  });
});

describe('jsonValueProblem', () => {
  it('accepts ordinary JSON', () => {
    expect(jsonValueProblem({ name: 'Spring sale 🌸', n: [1, -2.5, 9_007_199_254_740_991], ok: true, none: null })).toBeUndefined();
  });

  it('refuses NUL in a value or a key, naming where', () => {
    expect(jsonValueProblem(JSON.parse('{"events":[{"phone":"+33\\u0000"}]}'))).toEqual({
      reason: 'nul_character',
      message: '$.events[0].phone: holds a NUL character (U+0000)',
    });
    expect(jsonValueProblem(JSON.parse('{"a\\u0000":1}'))).toMatchObject({ reason: 'nul_character' });
  });

  it('refuses lone surrogates and accepts paired ones', () => {
    expect(jsonValueProblem(JSON.parse('{"a":"x\\ud800y"}'))).toMatchObject({
      reason: 'lone_surrogate',
      message: expect.stringContaining('$.a'),
    });
    expect(jsonValueProblem(JSON.parse('["\\udc00"]'))).toMatchObject({ reason: 'lone_surrogate' });
    expect(jsonValueProblem(JSON.parse('["\\ud83c\\udf38"]'))).toBeUndefined();
  });

  it('refuses numbers that are not finite or beyond 2^53 - 1', () => {
    expect(jsonValueProblem(JSON.parse('{"budget":1e999}'))).toMatchObject({
      reason: 'number_out_of_range',
      message: expect.stringContaining('not finite'),
    });
    expect(jsonValueProblem({ budget: 1e20 })).toMatchObject({
      reason: 'number_out_of_range',
      message: expect.stringContaining('$.budget'),
    });
    expect(jsonValueProblem({ budget: -1e20 })).toMatchObject({ reason: 'number_out_of_range' });
  });

  it.each([...FORBIDDEN_JSON_KEYS])('refuses the key %s at any depth, without polluting a prototype', (key) => {
    const body = JSON.parse(`{"a":[{"${key}":{"polluted":true}}]}`) as unknown;
    expect(jsonValueProblem(body)).toMatchObject({ reason: 'forbidden_key', message: expect.stringContaining(key) });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('walks 50,000 values without recursion', () => {
    const wide = Array.from({ length: 50_000 }, (_, i) => ({ i }));
    expect(jsonValueProblem(wide)).toBeUndefined();
  });
});

describe('textProblem', () => {
  it('refuses NUL in a path or query value', () => {
    expect(textProblem('a\u0000b', 'a path segment')).toMatchObject({ reason: 'nul_character' });
    expect(textProblem('abc', 'a path segment')).toBeUndefined();
  });
});

describe('scanJson', () => {
  it('flags the escapes that can make NUL or a lone surrogate, and only those', () => {
    expect(scanJson('{"a":"\\u0000"}').suspectEscapes).toBe(true);
    expect(scanJson('{"a":"\\uD800"}').suspectEscapes).toBe(true);
    expect(scanJson('{"a":"\\udfff"}').suspectEscapes).toBe(true);
    expect(scanJson('{"a\\u0000":1}').suspectEscapes).toBe(true);
    expect(scanJson('{"a":"\\u00e9 \\u0041 \\\\u0000 x"}').suspectEscapes).toBe(false);
    expect(scanJson('{"a":"\u00e9\ud83c\udf38"}').suspectEscapes).toBe(false);
  });
});
