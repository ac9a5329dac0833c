import { postgresOptions, RetentionJob } from '@wt/database';
import { testDatabaseUrl } from '@wt/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DISPATCHER_ENTITIES, DISPATCHER_MIGRATIONS } from '../app.module';
import { costAndConversionRetentionRules, ledgerRetentionRules } from './ledger-retention';

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
    await dataSource.query(`DELETE FROM message_cost WHERE decision_id LIKE $1`, [`ret-${run}-%`]);
    await dataSource.query(`DELETE FROM ad_click WHERE ctwa_clid LIKE $1`, [`ret-${run}-%`]);
    await dataSource.query(`DELETE FROM conversion_event WHERE event_id LIKE $1`, [`ret-${run}-%`]);
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

  describe('message costs, ad clicks and conversion events (issue 17)', () => {
    const days = { messageCostDays: 400, adClickDays: 15, conversionDays: 30 };
    const job = (batchSize = 10) =>
      new RetentionJob(dataSource, costAndConversionRetentionRules(days), { intervalSeconds: 0, batchSize, service: 'dispatcher' });

    async function costs(ageDays: number, count: number, tag: string, billed: boolean): Promise<void> {
      await dataSource.query(
        `INSERT INTO message_cost (decision_id, kind, category, market, currency, rate_card_version, estimated_micros, billable, billed_micros, billed_at, recorded_at)
         SELECT 'ret-${run}-${tag}-' || n, 'template', 'marketing', 'france', 'USD', 'v', 85900,
                CASE WHEN $3 THEN true END, CASE WHEN $3 THEN 85900 END, CASE WHEN $3 THEN now() - make_interval(days => $1) END,
                now() - make_interval(days => $1)
           FROM generate_series(1, $2) AS n`,
        [ageDays, count, billed],
      );
    }
    async function clicks(ageDays: number, count: number, tag: string): Promise<void> {
      await dataSource.query(
        `INSERT INTO ad_click (ctwa_clid, person_id, business_id, phone_number_id, waba_id, clicked_at)
         SELECT 'ret-${run}-${tag}-' || n, repeat('a', 64), 'b', 'p', 'w', now() - make_interval(days => $1) FROM generate_series(1, $2) AS n`,
        [ageDays, count],
      );
    }
    async function conversions(state: string, ageDays: number, count: number, tag: string): Promise<void> {
      await dataSource.query(
        `INSERT INTO conversion_event (event_id, person_id, business_id, event_name, event_time, state, created_at)
         SELECT 'ret-${run}-${tag}-' || n, repeat('a', 64), 'b', 'Purchase', now() - make_interval(days => $2), $1, now() - make_interval(days => $2)
           FROM generate_series(1, $3) AS n`,
        [state, ageDays, count],
      );
    }
    const leftIn = async (table: string, key: string, tag: string) =>
      Number((await dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${key} LIKE $1`, [`ret-${run}-${tag}-%`]))[0].n);

    it("deletes costs past 13 months, clicks past Meta's 7 + 7 days, finished conversions past 30 days, in batches; keeps the rest", async () => {
      await costs(401, 15, 'cost-old-billed', true);
      await costs(420, 6, 'cost-old-estimate', false);
      await costs(399, 4, 'cost-recent', true);
      await clicks(16, 12, 'click-old');
      await clicks(14, 3, 'click-recent');
      for (const state of ['sent', 'rejected', 'expired', 'no_ad_click', 'incomplete', 'capi_off'])
        await conversions(state, 31, 2, `conv-old-${state}`);
      await conversions('pending', 60, 2, 'conv-old-pending');
      await conversions('sent', 29, 3, 'conv-recent');

      const results = await job().runOnce();

      expect(results['message_cost']).toMatchObject({ ran: true });
      expect(results['message_cost']?.rows).toBeGreaterThanOrEqual(21);
      expect(results['message_cost']?.batches).toBeGreaterThanOrEqual(3);
      expect(results['ad_click']?.rows).toBeGreaterThanOrEqual(12);
      expect(results['conversion_event']?.rows).toBeGreaterThanOrEqual(12);
      expect(await leftIn('message_cost', 'decision_id', 'cost-old-billed')).toBe(0);
      expect(await leftIn('message_cost', 'decision_id', 'cost-old-estimate')).toBe(0);
      expect(await leftIn('message_cost', 'decision_id', 'cost-recent')).toBe(4);
      expect(await leftIn('ad_click', 'ctwa_clid', 'click-old')).toBe(0);
      expect(await leftIn('ad_click', 'ctwa_clid', 'click-recent')).toBe(3);
      expect(await leftIn('conversion_event', 'event_id', 'conv-old')).toBe(2); // the pending ones only
      expect(await leftIn('conversion_event', 'event_id', 'conv-old-pending')).toBe(2);
      expect(await leftIn('conversion_event', 'event_id', 'conv-recent')).toBe(3);
    });

    it('leaves each table to the replica that holds its purge lock', async () => {
      await clicks(20, 2, 'click-locked');
      await conversions('sent', 40, 2, 'conv-locked');
      const other = dataSource.createQueryRunner();
      await other.connect();
      await other.startTransaction();
      try {
        await other.query(`SELECT pg_advisory_xact_lock(hashtextextended('dispatcher.retention.ad_click', 0))`);
        const results = await job().runOnce();
        expect(results['ad_click']).toMatchObject({ ran: false, rows: 0 });
        expect(await leftIn('ad_click', 'ctwa_clid', 'click-locked')).toBe(2);
        // The other tables are not held up by it.
        expect(await leftIn('conversion_event', 'event_id', 'conv-locked')).toBe(0);
      } finally {
        await other.rollbackTransaction();
        await other.release();
      }
      expect((await job().runOnce())['ad_click']?.rows).toBeGreaterThanOrEqual(2);
      expect(await leftIn('ad_click', 'ctwa_clid', 'click-locked')).toBe(0);
    });

    it("finds each table's rows through an index, not a scan", async () => {
      const session = dataSource.createQueryRunner();
      await session.connect();
      try {
        await session.query(`SET enable_seqscan = off`);
        const indexOf = {
          message_cost: 'message_cost_recorded_at',
          ad_click: 'ad_click_clicked_at',
          conversion_event: 'conversion_event_finished_created_at',
        };
        for (const rule of costAndConversionRetentionRules(days)) {
          const plan = (await session.query(`EXPLAIN SELECT ctid FROM ${rule.table} WHERE ${rule.where} LIMIT $1`, [
            10,
            ...rule.params(),
          ])) as {
            'QUERY PLAN': string;
          }[];
          expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain(indexOf[rule.table as keyof typeof indexOf]);
        }
      } finally {
        await session.query(`RESET enable_seqscan`);
        await session.release();
      }
    });
  });
});
