import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `template_pause`: the templates Meta paused or disabled (dispatcher signal `template_paused`), until
 * approved again (`template_resumed`): a campaign using one is paused, with the reason in its report.
 */
export class TemplatePause1765238400000 implements MigrationInterface {
  name = 'TemplatePause1765238400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE template_pause (
         business_id text NOT NULL,
         template_name text NOT NULL,
         language text NOT NULL,
         reason text,
         paused_at timestamptz NOT NULL,
         resumed_at timestamptz,
         PRIMARY KEY (business_id, template_name, language)
       )`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE template_pause`);
  }
}
