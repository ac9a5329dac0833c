import { classifyFailure, describeFailure } from './processing-failure';

/** A pg error as pg and TypeORM shape it: SQLSTATE in `code`, TypeORM's wrapper keeps it in `driverError`. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'error', code });
}

function typeormError(driverError: Error): Error {
  return Object.assign(new Error(driverError.message), { name: 'QueryFailedError', driverError });
}

describe('classifyFailure', () => {
  it.each([
    ['22003', 'value "3000000000" is out of range for type integer'],
    ['23514', 'new row for relation "campaign" violates check constraint "campaign_budget_messages_check"'],
    ['22P02', 'invalid input syntax for type uuid: "x"'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['23502', 'null value in column "name" violates not-null constraint'],
  ])('calls SQLSTATE %s a data error, bare or wrapped by TypeORM', (code, message) => {
    expect(classifyFailure(pgError(code, message))).toBe('data');
    expect(classifyFailure(typeormError(pgError(code, message)))).toBe('data');
  });

  it.each([
    ['55P03', 'could not obtain lock on row in relation "profile"'],
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['57P01', 'terminating connection due to administrator command'],
    ['08006', 'connection failure'],
    ['53300', 'sorry, too many clients already'],
    ['42P01', 'relation "campaign" does not exist'],
  ])('calls SQLSTATE %s transient', (code, message) => {
    expect(classifyFailure(typeormError(pgError(code, message)))).toBe('transient');
  });

  it("calls lost connections and unreachable servers transient, by code or by pg's words", () => {
    expect(classifyFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(classifyFailure(new Error('timeout exceeded when trying to connect'))).toBe('transient');
    expect(classifyFailure(new Error('wrapped', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }))).toBe(
      'transient',
    );
  });

  it('follows kafkajs: retriable errors and lost brokers are transient, a non-retriable refusal is not', () => {
    const retriable = Object.assign(new Error('There is no leader for this topic-partition'), {
      name: 'KafkaJSProtocolError',
      retriable: true,
    });
    const exhausted = Object.assign(new Error('retries exhausted'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      originalError: retriable,
    });
    const tooLarge = Object.assign(new Error('The request included a message larger than the max message size'), {
      name: 'KafkaJSProtocolError',
      retriable: false,
    });
    expect(classifyFailure(retriable)).toBe('transient');
    expect(classifyFailure(exhausted)).toBe('transient');
    expect(classifyFailure(Object.assign(new Error('Connection timeout'), { name: 'KafkaJSConnectionError' }))).toBe('transient');
    expect(classifyFailure(tooLarge)).toBe('unknown');
  });

  it('calls any other exception unknown', () => {
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe('unknown');
    expect(classifyFailure('a string')).toBe('unknown');
  });
});

describe('describeFailure', () => {
  it('keeps the class, SQLSTATE and message, never the values the database quotes', () => {
    const detail = describeFailure(typeormError(pgError('23505', 'duplicate key value violates unique constraint "person_phone_key"')));
    expect(detail).toBe('error 23505: duplicate key value violates unique constraint "…"');
    expect(describeFailure(pgError('22003', 'value "3000000000" is out of range for type integer'))).toBe(
      'error 22003: value "…" is out of range for type integer',
    );
    const withRow = describeFailure(
      pgError('23514', 'new row violates check constraint "c"\nDETAIL: Failing row contains (+33612345678, 5).'),
    );
    expect(withRow).not.toContain('33612345678');
    expect(describeFailure(new Error('no profile for +33 6 12 34 56 78'))).not.toMatch(/\d{2} \d{2}/);
  });
});
