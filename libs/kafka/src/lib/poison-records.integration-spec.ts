import { Controller, Logger, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type PrivacyExportV1, Topic } from '@wt/contracts';
import { eventually, testBrokers, testDatabaseUrl, TopicProbe } from '@wt/testing';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { ContactSealer, InMemoryPersonKeyStore } from '@wt/identity';
import { BatchFailureInterceptor } from './batch-failure.interceptor';
import { DeadLetterSealer } from './dead-letter-sealing';
import { KafkaBatchServer } from './kafka-batch.server';
import { createKafka } from './kafka-connection';
import { KafkaPublisher } from './kafka-publisher';
import { type RecordBatch } from './record-batch';

/**
 * The records go to a topic no service and no other test reads from its beginning (1,000 records
 * a run would change what a fresh group's first fetch brings in the other suites).
 */
const TOPIC = Topic.PrivacyExportsV1;

/**
 * A handler as the services write them: one transaction per batch, one statement for all its
 * records, effects keyed (ON CONFLICT DO NOTHING), so a batch applied again is applied once.
 */
const state: {
  run?: string;
  table?: string;
  pool?: Pool;
  /** Calls left that fail as if the database were away (the pool points at a closed port). */
  unreachableCalls: number;
  /** Calls left that lose their connection mid-transaction (pg_terminate_backend, 57P01). */
  terminatedCalls: number;
  calls: number;
} = { unreachableCalls: 0, terminatedCalls: 0, calls: 0 };

const unreachable = new Pool({ host: '127.0.0.1', port: 1, database: 'none', connectionTimeoutMillis: 2_000 });

@Controller()
class NumbersHandler {
  @EventPattern(TOPIC)
  async handle(@Payload() batch: RecordBatch<typeof TOPIC>): Promise<void> {
    const run = state.run;
    const numbers = batch.records.flatMap((r) => {
      const [prefix, n] = r.value.requestId.split('/');
      return run !== undefined && prefix === run && n !== undefined ? [n] : [];
    });
    if (numbers.length === 0 || !state.pool) return;
    state.calls += 1;
    const pool = state.unreachableCalls-- > 0 ? unreachable : state.pool;
    const client = await pool.connect();
    // A terminated backend also errors the client as an event: the query's rejection is what counts.
    const ignore = () => undefined;
    client.on('error', ignore);
    let broken = false;
    try {
      await client.query('BEGIN');
      if (state.terminatedCalls-- > 0) await client.query('SELECT pg_terminate_backend(pg_backend_pid())');
      await client.query(`INSERT INTO ${state.table} (n) SELECT unnest($1::text[])::integer ON CONFLICT DO NOTHING`, [numbers]);
      await client.query('COMMIT');
    } catch (error) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', ignore);
      client.release(broken);
    }
  }
}

@Module({ controllers: [NumbersHandler] })
class NumbersModule {}

function exported(requestId: string): PrivacyExportV1 {
  return { requestId, personId: 'b'.repeat(64), exportedAt: '2026-11-28T10:00:00.000Z', data: { interests: ['shoes'] } };
}

describe('poison records on the real broker and database', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'poison-it' });
  const publisher = new KafkaPublisher(kafka);
  const sealer = new DeadLetterSealer(new ContactSealer(new InMemoryPersonKeyStore()));
  const pool = new Pool({ connectionString: testDatabaseUrl('scoring'), max: 4 }).on('error', () => undefined);
  let app: INestMicroservice;
  let service: string;
  let dlq: TopicProbe<Topic.DeadLetterV1>;

  beforeAll(() => {
    // The failures these tests provoke are logged at ERROR and WARN by the server, on purpose.
    if (!process.env['IT_DEBUG']) Logger.overrideLogger(false);
  });

  beforeEach(async () => {
    state.run = randomUUID();
    state.table = `poison_it_${state.run.replace(/-/g, '')}`;
    state.pool = pool;
    state.unreachableCalls = 0;
    state.terminatedCalls = 0;
    state.calls = 0;
    await pool.query(`CREATE TABLE ${state.table} (n integer PRIMARY KEY)`);
    service = `it-${randomUUID().slice(0, 8)}`;
    dlq = await TopicProbe.start(brokers, Topic.DeadLetterV1);
  });

  afterEach(async () => {
    await app?.close();
    await dlq.stop();
    await pool.query(`DROP TABLE IF EXISTS ${state.table}`);
  });

  afterAll(async () => {
    await publisher.disconnect();
    await pool.end();
    await unreachable.end();
  });

  async function startConsumer(): Promise<void> {
    const server = new KafkaBatchServer({
      connection: { brokers, clientId: 'poison-it' },
      groupId: `it-${randomUUID()}`,
      service,
      deadLetterSealer: sealer,
    });
    app = await NestFactory.createMicroservice(NumbersModule, { strategy: server, logger: false });
    app.useGlobalInterceptors(new BatchFailureInterceptor());
    await app.listen();
    await eventually('consumer joined', async () => (server.isReady() ? true : undefined));
  }

  async function publishNumbers(numbers: readonly string[]): Promise<void> {
    await publisher.publish(
      TOPIC,
      numbers.map((n, i) => ({ key: `${state.run}.${i % 64}`, value: exported(`${state.run}/${n}`) })),
    );
  }

  const rows = async (): Promise<number> => Number((await pool.query(`SELECT count(*) AS n FROM ${state.table}`)).rows[0].n);
  // Each test has its own service name: its dead letters are the ones it provoked.
  const ours = () => dlq.records.filter((d) => d.value.service === service);

  it('dead-letters the one record of 1,000 the database refuses (22003, provoked on purpose), applies the 999 others, and goes on', async () => {
    // Published before the consumer starts, so that its first fetch brings them together.
    const numbers = Array.from({ length: 1_000 }, (_, i) => (i === 537 ? '3000000000' : String(i)));
    await publishNumbers(numbers);
    await startConsumer();

    const letter = await dlq.waitFor((d) => d.service === service && d.reason === 'processing_failed', 120_000);
    const original = await sealer.openLetter(letter.value);
    expect(original.ok && original.value.toString()).toContain(`${state.run}/3000000000`);
    expect(letter.value.detail).toContain('22003');
    expect(letter.value.detail).toContain('out of range for type integer');
    // The refused value is not quoted back in clear beside the sealed payload.
    expect(letter.value.detail).not.toContain('3000000000');
    await eventually('the 999 other effects', async () => ((await rows()) === 999 ? true : undefined), 60_000);

    await publishNumbers(['1000']);
    await eventually('a later record flows', async () => ((await rows()) === 1_000 ? true : undefined), 60_000);
    expect(ours().map((d) => d.value.reason)).toEqual(['processing_failed']);
  }, 180_000);

  it('retries through a database outage (unreachable, then its connection terminated; provoked on purpose) and dead-letters nothing', async () => {
    state.unreachableCalls = 3;
    state.terminatedCalls = 2;
    await publishNumbers(Array.from({ length: 1_000 }, (_, i) => String(i)));
    await startConsumer();

    await eventually('every effect after the outage', async () => ((await rows()) === 1_000 ? true : undefined), 120_000);
    expect(state.calls).toBeGreaterThan(5);
    await publishNumbers(['1000']);
    await eventually('a later record flows', async () => ((await rows()) === 1_001 ? true : undefined), 60_000);
    expect(ours()).toEqual([]);
  }, 180_000);
});
