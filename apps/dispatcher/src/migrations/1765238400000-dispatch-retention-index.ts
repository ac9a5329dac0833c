import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The retention purge's index: finished rows by their last change (see ledger-retention.ts). */
export class DispatchRetentionIndex1765238400000 implements MigrationInterface {
  name = 'DispatchRetentionIndex1765238400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS dispatch_finished_updated_at ON dispatch (updated_at)
       WHERE state IN ('accepted', 'rejected', 'unknown', 'expired', 'skipped')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS dispatch_finished_updated_at`);
  }
}
