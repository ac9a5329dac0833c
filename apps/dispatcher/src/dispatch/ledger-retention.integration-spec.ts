import { postgresOptions, RetentionJob } from '@wt/database';
import { testDatabaseUrl } from '@wt/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DISPATCHER_ENTITIES, DISPATCHER_MIGRATIONS } from '../app.module';
import { ledgerRetentionRules } from './ledger-retention';

describe('dispatch ledger retention (real Postgres)', () => {
  const dataSource = new DataSource(
    postgresOptions({
      url: testDatabaseUrl('dispatcher'),
      entities: DISPATCHER_ENTITIES,
      migrations: DISPATCHER_MIGRATIONS,
      runMigrations: true,
      applicationName: 'dispatcher-retention-it',
    }),
  );
  const run = randomUUID().slice(0, 8);

  beforeAll(async () => {
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.query(`DELETE FROM dispatch WHERE decision_id LIKE $1`, [`ret-${run}-%`]);
    await dataSource.destroy();
  });

  async function rows(state: string, ageDays: number, count: number, tag: string): Promise<void> {
    await dataSource.query(
      `INSERT INTO dispatch (decision_id, person_id, business_id, campaign_id, phone_number_id, state, created_at, updated_at)
       SELECT 'ret-${run}-${tag}-' || n, repeat('a', 64), 'b', 'c', 'p', $1, now() - make_interval(days => $2), now() - make_interval(days => $2)
         FROM generate_series(1, $3) AS n`,
      [state, ageDays, count],
    );
  }
  const left = async (tag: string) =>
    Number((await dataSource.query(`SELECT count(*)::int AS n FROM dispatch WHERE decision_id LIKE $1`, [`ret-${run}-${tag}-%`]))[0].n);

  it('deletes finished rows past retention in batches, and keeps recent ones and unfinished ones whatever their age', async () => {
    await rows('accepted', 40, 25, 'old-accepted');
    await rows('expired', 36, 5, 'old-expired');
    await rows('pending', 40, 3, 'old-pending');
    await rows('sending', 40, 2, 'old-sending');
    await rows('accepted', 34, 4, 'recent-accepted');
    const job = new RetentionJob(dataSource, ledgerRetentionRules(35), { intervalSeconds: 0, batchSize: 10, service: 'dispatcher' });

    const { dispatch } = await job.runOnce();

    expect(dispatch).toMatchObject({ ran: true });
    expect(dispatch?.rows).toBeGreaterThanOrEqual(30);
    expect(dispatch?.batches).toBeGreaterThanOrEqual(3);
    expect(await left('old-accepted')).toBe(0);
    expect(await left('old-expired')).toBe(0);
    expect(await left('old-pending')).toBe(3);
    expect(await left('old-sending')).toBe(2);
    expect(await left('recent-accepted')).toBe(4);
  });

  it('leaves the table to the replica that holds the purge lock', async () => {
    await rows('rejected', 50, 3, 'locked');
    const job = new RetentionJob(dataSource, ledgerRetentionRules(35), { intervalSeconds: 0, batchSize: 10, service: 'dispatcher' });
    const other = dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    try {
      await other.query(`SELECT pg_advisory_xact_lock(hashtextextended('dispatcher.retention.dispatch', 0))`);
      const { dispatch } = await job.runOnce();
      expect(dispatch).toMatchObject({ ran: false, rows: 0 });
      expect(await left('locked')).toBe(3);
    } finally {
      await other.rollbackTransaction();
      await other.release();
    }
    expect((await job.runOnce())['dispatch']?.rows).toBeGreaterThanOrEqual(3);
    expect(await left('locked')).toBe(0);
  });

  it('finds the rows through the partial index, not a scan of the ledger', async () => {
    // One connection: the planner setting is the session's. A small test table would be scanned
    // anyway; with scans priced out, the plan shows the index the condition can use.
    const session = dataSource.createQueryRunner();
    await session.connect();
    try {
      await session.query(`SET enable_seqscan = off`);
      const [rule] = ledgerRetentionRules(35);
      const plan = (await session.query(`EXPLAIN SELECT ctid FROM dispatch WHERE ${rule?.where} LIMIT $1`, [10, 35])) as {
        'QUERY PLAN': string;
      }[];
      expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('dispatch_finished_updated_at');
    } finally {
      await session.query(`RESET enable_seqscan`);
      await session.release();
    }
  });
});
