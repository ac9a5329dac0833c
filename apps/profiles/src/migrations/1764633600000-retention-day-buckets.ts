import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Retention (issue 3, point 10): each person's engagement kept per UTC day of the event, so that a
 * day's signals can stop counting exactly when it leaves the window (the purge deletes the day and
 * recomputes the person's aggregates from the days left).
 *
 * A day's interests are Σ weight · 2^(-(t - day start) / half-life), referenced to the start of the
 * day; counts and the latest event time are plain. The hot path adds a batch's contributions with
 * one upsert; the two functions below add number maps (category → score, business → category →
 * score, source → count) key by key.
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
    await queryRunner.query(`
      CREATE FUNCTION profiles_jsonb_add(a jsonb, b jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(jsonb_object_agg(key, total), '{}'::jsonb)
        FROM (SELECT key, sum(value::numeric) AS total
              FROM (SELECT * FROM jsonb_each_text(coalesce(a, '{}'::jsonb))
                    UNION ALL
                    SELECT * FROM jsonb_each_text(coalesce(b, '{}'::jsonb))) AS entries
              GROUP BY key) AS sums
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION profiles_jsonb_add_nested(a jsonb, b jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(jsonb_object_agg(key, profiles_jsonb_add(a -> key, b -> key)), '{}'::jsonb)
        FROM (SELECT jsonb_object_keys(coalesce(a, '{}'::jsonb)) AS key
              UNION
              SELECT jsonb_object_keys(coalesce(b, '{}'::jsonb))) AS keys
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION profiles_jsonb_add_nested(jsonb, jsonb)`);
    await queryRunner.query(`DROP FUNCTION profiles_jsonb_add(jsonb, jsonb)`);
    await queryRunner.query(`DROP TABLE person_day_bucket`);
  }
}
