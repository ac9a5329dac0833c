import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 17, points 3 and 7: what each message costs (estimated at the rate card, billed from the
 * `pricing` of its status webhooks), the click-to-WhatsApp ad clicks people came from, and the
 * purchases attributed to a message, each sent once to Meta's Conversions API.
 */
export class PricingAndConversions1765324800000 implements MigrationInterface {
  name = 'PricingAndConversions1765324800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE message_cost (
         decision_id text PRIMARY KEY,
         kind text NOT NULL,
         category text NOT NULL,
         market text,
         currency text NOT NULL,
         rate_card_version text NOT NULL,
         estimated_micros bigint,
         billable boolean,
         billed_micros bigint,
         billed_at timestamptz
       )`,
    );
    await queryRunner.query(
      `CREATE TABLE ad_click (
         ctwa_clid text PRIMARY KEY,
         person_id char(64) NOT NULL,
         business_id text,
         phone_number_id text NOT NULL,
         waba_id text NOT NULL,
         source_id text,
         clicked_at timestamptz NOT NULL
       )`,
    );
    await queryRunner.query(`CREATE INDEX ad_click_person ON ad_click (person_id, clicked_at)`);
    await queryRunner.query(
      `CREATE TABLE conversion_event (
         event_id text PRIMARY KEY,
         person_id char(64) NOT NULL,
         business_id text NOT NULL,
         event_name text NOT NULL,
         event_time timestamptz NOT NULL,
         value numeric,
         currency text,
         decision_id text,
         ctwa_clid text,
         waba_id text,
         state text NOT NULL,
         attempts integer NOT NULL DEFAULT 0,
         next_attempt_at timestamptz NOT NULL DEFAULT now(),
         last_error text,
         created_at timestamptz NOT NULL DEFAULT now(),
         sent_at timestamptz
       )`,
    );
    await queryRunner.query(`CREATE INDEX conversion_event_due ON conversion_event (next_attempt_at) WHERE state = 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE conversion_event`);
    await queryRunner.query(`DROP TABLE ad_click`);
    await queryRunner.query(`DROP TABLE message_cost`);
  }
}
