import { postgresOptions, RetentionJob } from '@wt/database';
import { testDatabaseUrl } from '@wt/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SCORING_ENTITIES, SCORING_MIGRATIONS } from '../app.module';
import { decisionRetentionRules } from './decision-retention';

describe('decision retention (real Postgres)', () => {
  const dataSource = new DataSource(
    postgresOptions({
      url: testDatabaseUrl('scoring'),
      entities: SCORING_ENTITIES,
      migrations: SCORING_MIGRATIONS,
      runMigrations: true,
      applicationName: 'scoring-retention-it',
    }),
  );
  const run = randomUUID().slice(0, 8);
  const campaignId = (tag: string) => `ret-${run}-${tag}`;

  beforeAll(async () => {
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.query(`DELETE FROM billed_message WHERE decision_id LIKE $1`, [`ret-${run}-%`]);
    await dataSource.query(`DELETE FROM decision WHERE campaign_id LIKE $1`, [`ret-${run}-%`]);
    await dataSource.query(`DELETE FROM campaign WHERE campaign_id LIKE $1`, [`ret-${run}-%`]);
    await dataSource.destroy();
  });

  /** A campaign with `count` sends, each billed by Meta; `status` and its last change `ageDays` ago. */
  async function campaignWithSends(tag: string, status: string, ageDays: number, count: number): Promise<void> {
    const id = campaignId(tag);
    await dataSource.query(
      `INSERT INTO campaign (campaign_id, business_id, status, starts_at, budget_messages, spent, body, updated_at)
       VALUES ($1, 'b', $2, now() - make_interval(days => $3 + 10), 1000, 0, '{}'::jsonb, now() - make_interval(days => $3))`,
      [id, status, ageDays],
    );
    await dataSource.query(
      `INSERT INTO decision (campaign_id, person_id, decision_id, outcome, reason, score, model_version, explanation, decided_at, business_id)
       SELECT $1, lpad(n::text, 64, '0'), $1 || '-' || n, 'send', 'send', 0.5, 'm', '{}'::jsonb, now() - make_interval(days => $2 + 5), 'b'
         FROM generate_series(1, $3) AS n`,
      [id, ageDays, count],
    );
    await dataSource.query(
      `INSERT INTO billed_message (decision_id, billable, pricing_model, category, micros, currency, rate_card_version, occurred_at)
       SELECT $1 || '-' || n, true, 'PMP', 'marketing', 25000, 'USD', 'v', now() - make_interval(days => $2 + 5)
         FROM generate_series(1, $3) AS n`,
      [id, ageDays, count],
    );
  }
  const left = async (table: 'decision' | 'billed_message', tag: string) =>
    Number((await dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE decision_id LIKE $1`, [`${campaignId(tag)}-%`]))[0].n);

  it("purges what Meta billed for an ended campaign's messages with its decisions, and keeps a running or recent one's", async () => {
    await campaignWithSends('ended-long-ago', 'ended', 100, 12);
    await campaignWithSends('ended-recently', 'ended', 10, 3);
    await campaignWithSends('running', 'active', 100, 4);
    const job = new RetentionJob(dataSource, decisionRetentionRules(90), { intervalSeconds: 0, batchSize: 5, service: 'scoring' });

    const results = await job.runOnce();

    expect(results['billed_message']?.rows).toBeGreaterThanOrEqual(12);
    expect(results['decision']?.rows).toBeGreaterThanOrEqual(12);
    expect(await left('billed_message', 'ended-long-ago')).toBe(0);
    expect(await left('decision', 'ended-long-ago')).toBe(0);
    expect(await left('billed_message', 'ended-recently')).toBe(3);
    expect(await left('decision', 'ended-recently')).toBe(3);
    expect(await left('billed_message', 'running')).toBe(4);
    expect(await left('decision', 'running')).toBe(4);
  });
});
