import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `holdout_conversion`: purchases from a campaign's business by people of its holdout, within the
 * attribution window after they were held out (what the campaign's measured uplift compares with).
 */
export class HoldoutConversion1765152000600 implements MigrationInterface {
  name = 'HoldoutConversion1765152000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE holdout_conversion (
         campaign_id text NOT NULL,
         person_id char(64) NOT NULL,
         occurred_at timestamptz NOT NULL,
         PRIMARY KEY (campaign_id, person_id)
       )`,
    );
    await queryRunner.query(`CREATE INDEX holdout_conversion_person ON holdout_conversion (person_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE holdout_conversion`);
  }
}
