import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The minimal record kept after a GDPR erasure: who (pseudonym) was erased, so they are never messaged again. */
export class PrivacySuppression1764547200000 implements MigrationInterface {
  name = 'PrivacySuppression1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE erased_person (
        person_id char(64) PRIMARY KEY,
        request_id text NOT NULL,
        erased_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE erased_person`);
  }
}
