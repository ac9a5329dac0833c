import fc from 'fast-check';

/**
 * Property-based fuzzing of a running service's HTTP routes (every route of its OpenAPI document):
 * hostile JSON (deep nesting, NUL, lone surrogates, huge and non-finite numbers, prototype keys,
 * wrong types in an otherwise valid body), wrong content types, random bytes, oversized bodies and
 * hostile path or query parameters. The property: never a 5xx, and every 4xx a JSON error body.
 *
 * Fixed seed and a bounded count by default (the `npm test` run); longer with
 * `FUZZ_RUNS=5000 FUZZ_SEED=<n> npx jest -c jest.integration.config.js fuzz`.
 */
export const FUZZ_DEFAULT_SEED = 20261207;
export const FUZZ_DEFAULT_RUNS = 12;

export function fuzzSettings(): { seed: number; numRuns: number } {
  const seed = Number(process.env['FUZZ_SEED'] ?? FUZZ_DEFAULT_SEED);
  const numRuns = Number(process.env['FUZZ_RUNS'] ?? FUZZ_DEFAULT_RUNS);
  if (!Number.isInteger(seed) || !Number.isInteger(numRuns) || numRuns < 1) throw new Error('FUZZ_SEED and FUZZ_RUNS must be integers');
  return { seed, numRuns };
}

export interface FuzzRoute {
  method: string;
  /** Express-style path, `:name` for a parameter (as read from the OpenAPI document). */
  path: string;
}

export interface FuzzTarget {
  baseUrl: string;
  /** Valid values of path parameters (a hostile one is generated half of the time). */
  params?: Record<string, string>;
  /** A valid body for a route (`'POST /v1/campaigns'`): the generators break one of its fields at a time. */
  seeds?: Record<string, unknown>;
  /** Credentials for a request (a bearer token, a webhook signature over the exact bytes). */
  headers?: (route: FuzzRoute, body: Buffer | undefined) => Record<string, string>;
}

export interface FuzzCase {
  method: string;
  path: string;
  contentType: string | undefined;
  body: Buffer | undefined;
  /** What the body is, for the report of a failure. */
  kind: string;
}

/** Routes of the OpenAPI document a service serves at /docs/json. */
export async function routesOf(baseUrl: string): Promise<FuzzRoute[]> {
  const document = (await (await fetch(`${baseUrl}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const methods = new Set(['get', 'post', 'put', 'patch', 'delete']);
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => methods.has(method))
      .map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{([^}]+)\}/g, ':$1') })),
  );
}

export interface FuzzFinding {
  route: string;
  case: FuzzCase;
  status: number;
  body: string;
}

export interface FuzzTally {
  cases: number;
  findings: FuzzFinding[];
}

/**
 * Runs the property on one route; resolves with what it saw (cases run, and the failures found
 * before fast-check shrank them) and throws fast-check's report on a failure.
 */
export async function fuzzRoute(target: FuzzTarget, route: FuzzRoute, tally: FuzzTally = { cases: 0, findings: [] }): Promise<FuzzTally> {
  const { seed, numRuns } = fuzzSettings();
  const key = `${route.method} ${route.path}`;
  await fc.assert(
    fc.asyncProperty(hostileCase(route, target.params ?? {}, target.seeds?.[key]), async (fuzz) => {
      tally.cases++;
      const headers: Record<string, string> = { ...(target.headers?.(route, fuzz.body) ?? {}) };
      if (fuzz.contentType !== undefined) headers['content-type'] = fuzz.contentType;
      const response = await fetch(`${target.baseUrl}${fuzz.path}`, { method: fuzz.method, headers, body: fuzz.body });
      const text = await response.text();
      const problem = answerProblem(response.status, response.headers.get('content-type'), text);
      if (problem) {
        tally.findings.push({ route: key, case: fuzz, status: response.status, body: text.slice(0, 300) });
        throw new Error(`${key} answered ${response.status} (${problem}) to ${fuzz.kind}: ${text.slice(0, 300)}`);
      }
    }),
    { seed, numRuns, endOnFailure: true },
  );
  return tally;
}

/**
 * Runs the property on every route of the service's OpenAPI document, one route after the other;
 * resolves with the routes and what was seen, and throws fast-check's report on the first failure.
 */
export async function fuzzRoutes(target: FuzzTarget): Promise<{ routes: FuzzRoute[]; tally: FuzzTally }> {
  const tally: FuzzTally = { cases: 0, findings: [] };
  const routes = await routesOf(target.baseUrl);
  for (const route of routes) await fuzzRoute(target, route, tally);
  return { routes, tally };
}

/** Why an answer breaks the property, or undefined. */
export function answerProblem(status: number, contentType: string | null, text: string): string | undefined {
  if (status >= 500) return 'a server error';
  if (status < 400) return undefined;
  if (!contentType?.includes('json')) return `a ${status} without a JSON body`;
  try {
    const body = JSON.parse(text) as Record<string, unknown> | null;
    const error = body?.['error'];
    const message =
      body?.['message'] ?? (typeof error === 'object' && error !== null ? (error as Record<string, unknown>)['message'] : undefined);
    return message === undefined ? `a ${status} whose body names no reason` : undefined;
  } catch {
    return `a ${status} whose body is not JSON`;
  }
}

const HOSTILE_TEXT = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\ud83c',
  '\u202e\u0000',
  '💥🌸',
  '__proto__',
  'constructor',
  '',
  ' ',
  '../../etc/passwd',
  "' OR 1=1 --",
  '+33612345678',
  'x'.repeat(5000),
];
/** Number tokens as JSON text: huge, non-finite once parsed, negative zero, too precise. */
const NUMBER_TOKENS = [
  '1e20',
  '-1e20',
  '1e400',
  '-1e400',
  '1E308',
  '123456789012345678901234567890',
  '-0',
  '0.0000001',
  '9007199254740993',
  '4294967296',
  '2147483648',
  '-1',
  '0',
  '1.5',
];
const KEYS = ['__proto__', 'constructor', 'prototype', 'a\u0000', '\ud800', '', 'name', 'id', 'toString', 'hasOwnProperty'];

const jsonString = fc.oneof(
  fc.constantFrom(...HOSTILE_TEXT).map((text) => JSON.stringify(text)),
  fc.constantFrom('"\\u0000"', '"\\ud800"', '"a\\udc00b"', '"\\u0000\\u0000"'),
  fc.string({ unit: 'binary', maxLength: 30 }).map((text) => JSON.stringify(text)),
);

/** JSON text (not values: number tokens and escapes are kept as written). */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonString,
    fc.constantFrom(...NUMBER_TOKENS),
    fc.double().map((n) => (Number.isFinite(n) ? String(n) : '1e999')),
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(...KEYS).map((k) => JSON.stringify(k)),
            jsonString,
          ),
          tie('value'),
        ),
        { maxLength: 4 },
      )
      .map((entries) => `{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`),
  ),
})).value;

const deepNesting = fc
  .tuple(fc.integer({ min: 20, max: 6000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`);

/** Every path to a value inside a seed body (objects and arrays). */
function pathsOf(seed: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof seed !== 'object' || seed === null) return out;
  for (const [key, value] of Object.entries(seed)) {
    const path = [...prefix, Array.isArray(seed) ? Number(key) : key];
    out.push(path);
    pathsOf(value, path, out);
  }
  return out;
}

const MARK = '"\u2063fuzz\u2063"';

/** The seed with the value at `path` replaced by `text` (raw JSON). */
function replaced(seed: unknown, path: (string | number)[], text: string): string {
  const copy = JSON.parse(JSON.stringify(seed)) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1]] = JSON.parse(MARK);
  return JSON.stringify(copy).replace(MARK, text);
}

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/vnd.api+json',
  '',
];

const hostileParam = fc.oneof(
  fc.constantFrom(
    'a%00b',
    '%00',
    '%E0%A4%A',
    '%ED%A0%80',
    '%FF',
    '..%2F..%2Fetc',
    '%2e%2e',
    'x'.repeat(3000),
    '%F0%9F%92%A5',
    '-1',
    '1e20',
    'null',
  ),
  fc.string({ maxLength: 20 }).map((text) => {
    try {
      return encodeURIComponent(text) || 'x';
    } catch {
      return 'x';
    }
  }),
);

function hostileCase(route: FuzzRoute, params: Record<string, string>, seed: unknown): fc.Arbitrary<FuzzCase> {
  const names = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
  const path = fc
    .tuple(
      fc.tuple(...names.map((name) => fc.oneof(fc.constant(encodeURIComponent(params[name] ?? 'x')), hostileParam))),
      fc.option(fc.tuple(fc.constantFrom('q', 'to', 'phoneNumberId', 'hub.mode', '__proto__', '%00'), hostileParam), { freq: 3 }),
    )
    .map(([values, query]) => {
      let filled = route.path;
      names.forEach((name, i) => (filled = filled.replace(`:${name}`, values[i] ?? 'x')));
      return query ? `${filled}?${query[0]}=${query[1]}` : filled;
    });
  const seedPaths = pathsOf(seed);
  const json = (kind: string, text: fc.Arbitrary<string>) => text.map((body) => ({ kind, contentType: 'application/json', body }));
  const bodies: fc.Arbitrary<{ kind: string; contentType: string | undefined; body: string | Uint8Array | undefined }> = fc.oneof(
    { weight: 6, arbitrary: json('hostile JSON', jsonText) },
    { weight: 2, arbitrary: json('deep nesting', deepNesting) },
    {
      weight: seedPaths.length > 0 ? 8 : 0,
      arbitrary: json(
        'a valid body with one field broken',
        seedPaths.length > 0
          ? fc.tuple(fc.constantFrom(...seedPaths), jsonText).map(([at, text]) => replaced(seed, at, text))
          : fc.constant('{}'),
      ),
    },
    { weight: seed === undefined ? 0 : 2, arbitrary: json('the valid body', fc.constant(JSON.stringify(seed ?? {}))) },
    {
      weight: 1,
      arbitrary: json('malformed JSON', fc.constantFrom('{', '{"a":1,}', "{'a':1}", '[1,2', 'nul', '{"a":"\\x00"}', '\u0000', '{"a":1}{')),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES), jsonText)
        .map(([contentType, body]) => ({ kind: `a body sent as "${contentType}"`, contentType: contentType || undefined, body })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('application/json', 'application/octet-stream'), fc.uint8Array({ maxLength: 256 }))
        .map(([contentType, body]) => ({ kind: 'random bytes', contentType, body })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: 'an oversized body',
        contentType: 'application/json',
        body: `{"a":"${'x'.repeat(3 * 1024 * 1024)}"}`,
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'no body', contentType: undefined, body: undefined }) },
  );
  return fc.tuple(path, bodies).map(([target, { kind, contentType, body }]) => {
    const hasBody = route.method !== 'GET' && body !== undefined;
    return {
      method: route.method,
      path: target,
      contentType: hasBody ? contentType : undefined,
      body: hasBody ? Buffer.from(body) : undefined,
      kind,
    };
  });
}
