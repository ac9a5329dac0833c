import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class InitialSchema1764374400000 implements MigrationInterface {
  name = 'InitialSchema1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dispatch (
        decision_id text PRIMARY KEY,
        person_id char(64) NOT NULL,
        business_id text NOT NULL,
        campaign_id text NOT NULL,
        phone_number_id text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'sending', 'accepted', 'rejected', 'unknown')),
        wamid text UNIQUE,
        error_code integer,
        statuses text[] NOT NULL DEFAULT '{}',
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX dispatch_state ON dispatch (state) WHERE state IN ('pending', 'sending', 'unknown')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dispatch`);
  }
}
