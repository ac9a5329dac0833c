import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `person_merge`: BSUID-only people merged into the number's person they turned out to be
 * (`internal.identity.merges.v1`). A replayed merge is recognised by it, and records that still
 * name the merged person are applied to the person it was merged into.
 */
export class PersonMerge1765411200000 implements MigrationInterface {
  name = 'PersonMerge1765411200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE person_merge (
         from_person_id char(64) PRIMARY KEY,
         into_person_id char(64) NOT NULL,
         via text NOT NULL,
         merged_at timestamptz NOT NULL,
         recorded_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    await queryRunner.query(`CREATE INDEX person_merge_into ON person_merge (into_person_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE person_merge`);
  }
}
