import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The W3C trace context of the decision a send came from, so its statuses continue that trace. */
export class DispatchTraceContext1764633600000 implements MigrationInterface {
  name = 'DispatchTraceContext1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dispatch ADD COLUMN traceparent text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dispatch DROP COLUMN traceparent`);
  }
}
