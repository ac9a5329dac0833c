import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class InitialSchema1764374400000 implements MigrationInterface {
  name = 'InitialSchema1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE person_profile (
        person_id char(64) PRIMARY KEY,
        contact text,
        country char(2),
        time_zone text,
        interests jsonb NOT NULL DEFAULT '{}',
        interests_at timestamptz,
        total_events integer NOT NULL DEFAULT 0,
        events_by_source jsonb NOT NULL DEFAULT '{}',
        events_by_business jsonb NOT NULL DEFAULT '{}',
        last_seen_at timestamptz,
        version bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE processed_event (
        dedupe_key text PRIMARY KEY,
        person_id char(64) NOT NULL,
        occurred_at timestamptz NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX processed_event_person ON processed_event (person_id)`);
    await queryRunner.query(`
      CREATE TABLE consent_state (
        person_id char(64) NOT NULL,
        purpose text NOT NULL,
        business_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('granted', 'revoked')),
        occurred_at timestamptz NOT NULL,
        source text NOT NULL,
        PRIMARY KEY (person_id, purpose, business_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE consent_ledger (
        id bigserial PRIMARY KEY,
        person_id char(64) NOT NULL,
        purpose text NOT NULL,
        business_id text NOT NULL,
        status text NOT NULL,
        occurred_at timestamptz NOT NULL,
        source text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (person_id, purpose, business_id, occurred_at, status, source)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE consent_ledger`);
    await queryRunner.query(`DROP TABLE consent_state`);
    await queryRunner.query(`DROP TABLE processed_event`);
    await queryRunner.query(`DROP TABLE person_profile`);
  }
}
