import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The API keys of ingest's HTTP doors (`@wt/business-auth`, as scoring's and the assistant's, with
 * scopes): a business key (`consent:write`) writes consents of its own business; a producer key
 * (`engagement:write`) has no business and posts engagement events of its own `source` only.
 * Only the SHA-256 of a key's secret is stored.
 */
export class ApiKeys1765152000000 implements MigrationInterface {
  name = 'ApiKeys1765152000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE business (
        business_id text PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE business_api_key (
        key_id text PRIMARY KEY,
        business_id text REFERENCES business (business_id),
        source text,
        scopes text[] NOT NULL DEFAULT '{}',
        secret_sha256 bytea NOT NULL,
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT business_api_key_bound_once CHECK ((business_id IS NULL) <> (source IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX business_api_key_business ON business_api_key (business_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE business_api_key`);
    await queryRunner.query(`DROP TABLE business`);
  }
}
