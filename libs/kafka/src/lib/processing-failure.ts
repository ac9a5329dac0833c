/**
 * What a handler's failure says about its records:
 * - `transient`: the world, not the records (a broker or database unreachable, a connection cut, a
 *   lock or serialization conflict, a server shutting down). The same records will pass later:
 *   retried without limit, never dead-lettered.
 * - `data`: a record the database refuses whatever the moment (a number out of range, a CHECK, a
 *   NOT NULL, an invalid byte sequence): the record that provokes it is dead-lettered at once.
 * - `unknown`: any other exception. Retried a few times on the one record that provokes it, then
 *   dead-lettered (a deterministic bug must not stop the partition for ever).
 */
export type FailureKind = 'transient' | 'data' | 'unknown';

/**
 * SQLSTATE classes a record's own data provokes: 21 cardinality, 22 data exception (22003 numeric
 * out of range, 22P02 invalid text representation, 22021 invalid byte sequence / NUL), 23 integrity
 * constraint (23502 not null, 23505 unique, 23514 check), 27 triggered data change, 44 WITH CHECK
 * OPTION, P0 a trigger's RAISE.
 */
const DATA_CLASSES = new Set(['21', '22', '23', '27', '44', 'P0']);

/**
 * Every other SQLSTATE is the environment's: 08 connection, 40 rollback (40001 serialization, 40P01
 * deadlock), 53 resources, 55P03 lock timeout, 57 operator (57P01 admin shutdown, 57014 cancelled),
 * 58 system, XX internal, and 42 / 3D / 3F / 28 (a schema or grant missing during a deployment
 * concerns every record alike: dead-lettering them all would be wrong).
 */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Node's socket errors (pg and kafkajs both surface them). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/** kafkajs errors that are about reaching the cluster, whatever their `retriable` flag says. */
const KAFKAJS_TRANSIENT = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
]);

/** pg and TypeORM say "the connection is gone" only in words. */
const CONNECTION_LOST =
  /connection terminated|terminating connection|connection error|not queryable|timeout exceeded when trying to connect|cannot use a pool after calling end|driver not connected|connection is closed|server closed the connection/i;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  cause?: unknown;
  driverError?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

/** The error and every error it wraps (`cause`, TypeORM's `driverError`, kafkajs's `originalError`, AggregateError's `errors`). */
function chain(error: unknown, depth = 0): ErrorLike[] {
  if (typeof error !== 'object' || error === null || depth > 5) return [];
  const e = error as ErrorLike;
  const nested = [e.cause, e.driverError, e.originalError, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])];
  return [e, ...nested.flatMap((inner) => chain(inner, depth + 1))];
}

export function classifyFailure(error: unknown): FailureKind {
  const errors = chain(error);
  let data = false;
  for (const e of errors) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const name = typeof e.name === 'string' ? e.name : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (code && NETWORK_CODES.has(code)) return 'transient';
    if (KAFKAJS_TRANSIENT.has(name) || (name.startsWith('KafkaJS') && e.retriable === true)) return 'transient';
    if (CONNECTION_LOST.test(message)) return 'transient';
    if (code && SQLSTATE.test(code)) {
      if (DATA_CLASSES.has(code.slice(0, 2))) data = true;
      else return 'transient';
    }
  }
  return data ? 'data' : 'unknown';
}

/**
 * A failure's message for a dead letter: the error's class, SQLSTATE and message, without the
 * values a database may quote (`Key (phone)=(+33…)`, `Failing row contains (…)`): a dead letter's
 * detail is stored in clear, so nothing of the record's content goes into it.
 */
export function describeFailure(error: unknown): string {
  const [outer] = chain(error);
  const sql = chain(error).find((e) => typeof e.code === 'string' && SQLSTATE.test(e.code));
  const source = sql ?? outer;
  const name = typeof source?.name === 'string' ? source.name : 'Error';
  const code = typeof sql?.code === 'string' ? ` ${sql.code}` : '';
  const message = typeof source?.message === 'string' ? source.message : String(error);
  const scrubbed = (message.split('\n')[0] ?? '')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\([^)]*\)=\([^)]*\)/g, '(…)=(…)')
    .replace(/Failing row contains .*/i, 'Failing row contains (…)')
    .replace(/\+?\d[\d\s().-]{5,}\d/g, '…');
  return `${name}${code}: ${scrubbed}`.slice(0, 500);
}
