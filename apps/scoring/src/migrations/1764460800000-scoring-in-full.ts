import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Businesses and their API keys, the audience (latest profile snapshot per person), decision
 * features and holdout, the learned model's versions, outcomes already learned, launches.
 */
export class ScoringInFull1764460800000 implements MigrationInterface {
  name = 'ScoringInFull1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE business (
        business_id text PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE business_api_key (
        key_id text PRIMARY KEY,
        business_id text NOT NULL REFERENCES business (business_id),
        secret_sha256 bytea NOT NULL,
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX business_api_key_business ON business_api_key (business_id)`);
    await queryRunner.query(`
      CREATE TABLE audience_profile (
        person_id char(64) PRIMARY KEY,
        version integer NOT NULL,
        opted_in text[] NOT NULL,
        body jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX audience_profile_opted_in ON audience_profile USING gin (opted_in)`);
    await queryRunner.query(`
      ALTER TABLE decision
        ADD COLUMN business_id text,
        ADD COLUMN holdout boolean NOT NULL DEFAULT false,
        ADD COLUMN features jsonb,
        ADD COLUMN body jsonb`);
    await queryRunner.query(`UPDATE decision d SET business_id = c.business_id FROM campaign c WHERE c.campaign_id = d.campaign_id`);
    await queryRunner.query(`CREATE INDEX decision_person_sent ON decision (person_id, decided_at) WHERE outcome = 'send'`);
    await queryRunner.query(`
      CREATE TABLE relevance_model (
        model text NOT NULL,
        version integer NOT NULL,
        weights jsonb NOT NULL,
        examples bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (model, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE learned_outcome (
        decision_id text NOT NULL,
        kind text NOT NULL,
        person_id char(64) NOT NULL,
        business_id text NOT NULL,
        label real NOT NULL,
        weight real NOT NULL,
        occurred_at timestamptz NOT NULL,
        PRIMARY KEY (decision_id, kind)
      )`);
    await queryRunner.query(`CREATE INDEX learned_outcome_person ON learned_outcome (person_id, business_id)`);
    await queryRunner.query(`
      CREATE TABLE campaign_launch (
        campaign_id text PRIMARY KEY REFERENCES campaign (campaign_id),
        phase text NOT NULL CHECK (phase IN ('ranking', 'deciding', 'done')),
        cursor char(64),
        cutoff real,
        scores real[] NOT NULL DEFAULT '{}',
        evaluated integer NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE campaign_launch`);
    await queryRunner.query(`DROP TABLE learned_outcome`);
    await queryRunner.query(`DROP TABLE relevance_model`);
    await queryRunner.query(`DROP INDEX decision_person_sent`);
    await queryRunner.query(`ALTER TABLE decision DROP COLUMN business_id, DROP COLUMN holdout, DROP COLUMN features, DROP COLUMN body`);
    await queryRunner.query(`DROP TABLE audience_profile`);
    await queryRunner.query(`DROP TABLE business_api_key`);
    await queryRunner.query(`DROP TABLE business`);
  }
}
