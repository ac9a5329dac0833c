import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The key vault: one data key per person, stored only wrapped by a key-encryption key (kek_id
 * names which). `version` is unique over the table's whole life, so a key created after an
 * erasure never has the number of the erased one: old values name a key that is gone.
 */
export class PersonKeys1764806400000 implements MigrationInterface {
  name = 'PersonKeys1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE person_key (
        person_id char(64) PRIMARY KEY,
        version bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        wrapped_key bytea NOT NULL,
        kek_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX person_key_kek ON person_key (kek_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE person_key`);
  }
}
