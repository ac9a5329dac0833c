import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `scheduled_evaluation`: people a campaign found in their quiet hours, to evaluate again at their
 * local morning (`due_at`) instead of dropping them. A row is claimed (deleted) when it is due;
 * erasure deletes a person's rows with their audience snapshot.
 */
export class ScheduledEvaluation1765152000500 implements MigrationInterface {
  name = 'ScheduledEvaluation1765152000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE scheduled_evaluation (
         campaign_id text NOT NULL,
         person_id char(64) NOT NULL,
         due_at timestamptz NOT NULL,
         PRIMARY KEY (campaign_id, person_id)
       )`,
    );
    await queryRunner.query(`CREATE INDEX scheduled_evaluation_due ON scheduled_evaluation (due_at)`);
    await queryRunner.query(`CREATE INDEX scheduled_evaluation_person ON scheduled_evaluation (person_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE scheduled_evaluation`);
  }
}
