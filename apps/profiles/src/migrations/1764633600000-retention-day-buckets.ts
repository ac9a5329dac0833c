import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Retention (issue 3, point 10): each person's engagement kept per UTC day of the event, so that a
 * day's signals can stop counting exactly when it leaves the window (the purge deletes the day and
 * recomputes the person's aggregates from the days left).
 *
 * A day's interests are Σ weight · 2^(-(t - day start) / half-life), referenced to the start of the
 * day; counts and the latest event time are plain. The hot path reads the batch's (person, day)
 * rows already held in one statement, adds to them in memory and writes them back in one upsert.
 */
export class RetentionDayBuckets1764633600000 implements MigrationInterface {
  name = 'RetentionDayBuckets1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE person_day_bucket (
        person_id char(64) NOT NULL,
        day date NOT NULL,
        interests jsonb NOT NULL DEFAULT '{}',
        business_interests jsonb NOT NULL DEFAULT '{}',
        events_by_source jsonb NOT NULL DEFAULT '{}',
        events_by_business jsonb NOT NULL DEFAULT '{}',
        total_events integer NOT NULL DEFAULT 0,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (person_id, day)
      )`);
    // The purge looks for expired days across everyone.
    await queryRunner.query(`CREATE INDEX person_day_bucket_day ON person_day_bucket (day)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Functions an early version of this migration created (unused): dropped where they exist.
    await queryRunner.query(`DROP FUNCTION IF EXISTS profiles_jsonb_add_nested(jsonb, jsonb)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS profiles_jsonb_add(jsonb, jsonb)`);
    await queryRunner.query(`DROP TABLE person_day_bucket`);
  }
}
