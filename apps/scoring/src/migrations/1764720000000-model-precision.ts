import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The relevance model keeps, besides each weight, how sure it is of it (the precision of the
 * weight's Gaussian posterior): what Thompson sampling explores with and what regularises the next
 * update. Versions stored before have none: they read as the prior's precision. A launch keeps
 * the model it ranked with.
 */
export class ModelPrecision1764720000000 implements MigrationInterface {
  name = 'ModelPrecision1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE relevance_model ADD COLUMN precision jsonb`);
    // The model a launch ranked its audience with, so that it decides with the same one (outcomes of
    // its first sends may teach the live model before its last batch is decided).
    await queryRunner.query(`ALTER TABLE campaign_launch ADD COLUMN model jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE campaign_launch DROP COLUMN model`);
    await queryRunner.query(`ALTER TABLE relevance_model DROP COLUMN precision`);
  }
}
