import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class InitialSchema1764374400000 implements MigrationInterface {
  name = 'InitialSchema1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE campaign (
        campaign_id text PRIMARY KEY,
        business_id text NOT NULL,
        status text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        budget_messages integer NOT NULL CHECK (budget_messages > 0),
        spent integer NOT NULL DEFAULT 0 CHECK (spent >= 0),
        body jsonb NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (spent <= budget_messages OR status <> 'active')
      )`);
    await queryRunner.query(`
      CREATE TABLE decision (
        campaign_id text NOT NULL,
        person_id char(64) NOT NULL,
        decision_id text NOT NULL UNIQUE,
        outcome text NOT NULL CHECK (outcome IN ('send', 'suppress')),
        reason text NOT NULL,
        score real NOT NULL,
        model_version text NOT NULL,
        explanation jsonb NOT NULL,
        decided_at timestamptz NOT NULL,
        PRIMARY KEY (campaign_id, person_id)
      )`);
    await queryRunner.query(`CREATE INDEX decision_person ON decision (person_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE decision`);
    await queryRunner.query(`DROP TABLE campaign`);
  }
}
