import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Links from the other identifiers a person is known by (a WhatsApp business-scoped user id, its
 * parent id, a number the person moved to) to their personId. `digest` is the identifier's keyed
 * pseudonym (`Pseudonymizer.identifierDigest`), never the identifier; `sealed` is the identifier
 * sealed under the person's key and `username_sealed` their WhatsApp username likewise, so erasing
 * the person (deleting their keys, and these rows with them) leaves nothing readable.
 */
export class PersonIdentifiers1765411200000 implements MigrationInterface {
  name = 'PersonIdentifiers1765411200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE person_identifier (
        digest char(64) PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('phone', 'bsuid', 'parent_bsuid')),
        person_id char(64) NOT NULL,
        sealed text NOT NULL,
        username_sealed text,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        replaced_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX person_identifier_person ON person_identifier (person_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE person_identifier`);
  }
}
