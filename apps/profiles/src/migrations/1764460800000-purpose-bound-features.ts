import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** First-party interests per business (purpose-bound features) and WhatsApp customer-service windows. */
export class PurposeBoundFeatures1764460800000 implements MigrationInterface {
  name = 'PurposeBoundFeatures1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE person_profile ADD COLUMN business_interests jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE person_profile ADD COLUMN service_windows jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE person_profile DROP COLUMN service_windows`);
    await queryRunner.query(`ALTER TABLE person_profile DROP COLUMN business_interests`);
  }
}
