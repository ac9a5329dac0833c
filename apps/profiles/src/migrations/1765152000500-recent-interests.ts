import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Short-term intent (issue 16): interests with a 24 h half-life beside the long-term ones, on the
 * profile only (a purged day is older than the retention window, where a 24 h half-life leaves
 * nothing). Purchases and the engagement mix live in `business_interests` under reserved keys.
 */
export class RecentInterests1765152000500 implements MigrationInterface {
  name = 'RecentInterests1765152000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE person_profile ADD COLUMN recent_interests jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE person_profile DROP COLUMN recent_interests`);
  }
}
