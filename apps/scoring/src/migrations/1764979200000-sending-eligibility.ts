import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What scoring learns from WhatsApp about who can be sent to at all, so that it decides no send
 * the dispatcher would skip (and spends no budget or frequency-cap slot on it):
 * - `unreachable_person`: WhatsApp answered 131026 for this person (not on WhatsApp, or cannot
 *   receive); unreachable until `until`, unless a later delivered or read status or an inbound
 *   message (after `failed_at`) shows the number works again.
 * - `business_pause`: the dispatcher paused the business's campaigns (131048, spam rate limit) at
 *   `paused_at` until `until` (NULL: until resumed); a resume at `resumed_at` after it ends it.
 *   `*` stands for every business.
 */
export class SendingEligibility1764979200000 implements MigrationInterface {
  name = 'SendingEligibility1764979200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE unreachable_person (person_id char(64) PRIMARY KEY, failed_at timestamptz NOT NULL, until timestamptz NOT NULL, error_code integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE business_pause (business_id text PRIMARY KEY, paused_at timestamptz NOT NULL, until timestamptz, error_code integer, resumed_at timestamptz)`,
    );
    // The decisions a resume re-evaluates.
    await queryRunner.query(`CREATE INDEX decision_business_paused ON decision (campaign_id, person_id) WHERE reason = 'business_paused'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX decision_business_paused`);
    await queryRunner.query(`DROP TABLE business_pause`);
    await queryRunner.query(`DROP TABLE unreachable_person`);
  }
}
