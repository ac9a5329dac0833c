import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Per-message pricing (issue 17, point 3): a campaign's money budget and what it has spent at the
 * rate card's estimated prices (millionths of its currency, bigint), each send's estimated cost,
 * category and market (the volume tiers count by them), and what Meta billed for each message.
 */
export class MessagePricing1765324800000 implements MigrationInterface {
  name = 'MessagePricing1765324800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE campaign
         ADD COLUMN budget_micros bigint,
         ADD COLUMN budget_currency text,
         ADD COLUMN spent_micros bigint NOT NULL DEFAULT 0,
         ADD CONSTRAINT campaign_money_within_budget CHECK (budget_micros IS NULL OR spent_micros <= budget_micros)`,
    );
    await queryRunner.query(
      `ALTER TABLE decision
         ADD COLUMN estimated_cost_micros bigint,
         ADD COLUMN cost_currency text,
         ADD COLUMN cost_category text,
         ADD COLUMN cost_market text`,
    );
    await queryRunner.query(
      `CREATE INDEX decision_monthly_volume ON decision (business_id, cost_category, cost_market, decided_at) WHERE outcome = 'send' AND cost_category IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE billed_message (
         decision_id text PRIMARY KEY,
         billable boolean NOT NULL,
         pricing_model text NOT NULL,
         category text NOT NULL,
         pricing_type text,
         micros bigint NOT NULL,
         currency text NOT NULL,
         rate_card_version text NOT NULL,
         occurred_at timestamptz NOT NULL
       )`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE billed_message`);
    await queryRunner.query(`DROP INDEX decision_monthly_volume`);
    await queryRunner.query(
      `ALTER TABLE decision DROP COLUMN estimated_cost_micros, DROP COLUMN cost_currency, DROP COLUMN cost_category, DROP COLUMN cost_market`,
    );
    await queryRunner.query(
      `ALTER TABLE campaign DROP CONSTRAINT campaign_money_within_budget, DROP COLUMN budget_micros, DROP COLUMN budget_currency, DROP COLUMN spent_micros`,
    );
  }
}
