import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Meta's limits as they are in 2026 (issue 17): throughput per business number (80 or 1,000 mps,
 * unusable while it changes), one sender per number at a time (a lease), the portfolio's unique
 * recipients per rolling 24 h, the Marketing Messages API per number, and template status and quality.
 */
export class PlatformLimits1765065600000 implements MigrationInterface {
  name = 'PlatformLimits1765065600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // What Meta told us about each business number: its throughput, and until when it is changing.
    await queryRunner.query(`CREATE TABLE phone_number_state (
      phone_number_id text PRIMARY KEY,
      waba_id text,
      display_phone_number text,
      mps integer,
      unusable_until timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await queryRunner.query(`CREATE INDEX phone_number_state_display ON phone_number_state (display_phone_number)`);
    // One replica sends for a number at a time; another takes over only after quiet_after.
    await queryRunner.query(`CREATE TABLE send_lease (
      phone_number_id text PRIMARY KEY,
      holder text NOT NULL,
      until timestamptz NOT NULL,
      quiet_after timestamptz NOT NULL DEFAULT now()
    )`);
    // Messaging limit per business portfolio (our business id): null tier is unlimited.
    await queryRunner.query(`CREATE TABLE portfolio_limit (
      business_id text PRIMARY KEY,
      tier integer,
      source text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await queryRunner.query(`CREATE TABLE portfolio_recipient (
      business_id text NOT NULL,
      person_id char(64) NOT NULL,
      first_at timestamptz NOT NULL,
      PRIMARY KEY (business_id, person_id)
    )`);
    await queryRunner.query(`CREATE INDEX portfolio_recipient_window ON portfolio_recipient (business_id, first_at)`);
    // Why a pending send waits beyond its own schedule (the portfolio's limit, a paused template), reported once.
    await queryRunner.query(`ALTER TABLE dispatch ADD COLUMN held_reason text`);
    await queryRunner.query(`CREATE TABLE template_state (
      waba_id text NOT NULL,
      template_name text NOT NULL,
      language text NOT NULL,
      status text,
      quality text,
      reason text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (waba_id, template_name, language)
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dispatch DROP COLUMN held_reason`);
    for (const table of ['template_state', 'portfolio_recipient', 'portfolio_limit', 'send_lease', 'phone_number_state']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
