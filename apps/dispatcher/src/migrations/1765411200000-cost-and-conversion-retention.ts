import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Retention of `message_cost`, `ad_click` and `conversion_event` (see ledger-retention.ts): when a
 * cost was recorded (an estimate-only row had no time of its own; rows from before this migration
 * count from now, so nothing is purged early), and one index per purge condition.
 */
export class CostAndConversionRetention1765411200000 implements MigrationInterface {
  name = 'CostAndConversionRetention1765411200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE message_cost ADD COLUMN IF NOT EXISTS recorded_at timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS message_cost_recorded_at ON message_cost (recorded_at)`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS ad_click_clicked_at ON ad_click (clicked_at)`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS conversion_event_finished_created_at ON conversion_event (created_at) WHERE state <> 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS conversion_event_finished_created_at`);
    await queryRunner.query(`DROP INDEX IF EXISTS ad_click_clicked_at`);
    await queryRunner.query(`DROP INDEX IF EXISTS message_cost_recorded_at`);
    await queryRunner.query(`ALTER TABLE message_cost DROP COLUMN IF EXISTS recorded_at`);
  }
}
