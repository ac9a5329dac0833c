import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The ledger becomes the send queue: what to send, when to try next (persisted retries), and the
 * tables behind the limits and consequences shared by every replica.
 */
export class DispatchQueue1764460800000 implements MigrationInterface {
  name = 'DispatchQueue1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dispatch DROP CONSTRAINT IF EXISTS dispatch_state_check`);
    await queryRunner.query(`
      ALTER TABLE dispatch
        ADD CONSTRAINT dispatch_state_check CHECK (state IN ('pending', 'sending', 'accepted', 'rejected', 'unknown', 'expired', 'skipped')),
        ADD COLUMN kind text NOT NULL DEFAULT 'template' CHECK (kind IN ('template', 'text')),
        ADD COLUMN message jsonb,
        ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN claimed_at timestamptz,
        ADD COLUMN marketing_limit_retries integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`DROP INDEX IF EXISTS dispatch_state`);
    await queryRunner.query(`CREATE INDEX dispatch_due ON dispatch (next_attempt_at) WHERE state = 'pending'`);
    await queryRunner.query(`CREATE INDEX dispatch_in_doubt ON dispatch (updated_at) WHERE state IN ('sending', 'unknown')`);
    // Per business number: the theoretical arrival time of the next send (GCRA), shared by replicas.
    await queryRunner.query(`CREATE TABLE phone_number_pace (phone_number_id text PRIMARY KEY, tat timestamptz NOT NULL)`);
    await queryRunner.query(`
      CREATE TABLE recipient_pace (
        phone_number_id text NOT NULL,
        person_id char(64) NOT NULL,
        next_at timestamptz NOT NULL,
        PRIMARY KEY (phone_number_id, person_id)
      )`);
    await queryRunner.query(
      `CREATE TABLE unreachable_recipient (person_id char(64) PRIMARY KEY, until timestamptz NOT NULL, error_code integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE business_pause (business_id text PRIMARY KEY, until timestamptz NOT NULL, error_code integer NOT NULL)`,
    );
    await queryRunner.query(`
      CREATE TABLE sending_halt (
        token_fingerprint text PRIMARY KEY,
        error_code integer NOT NULL,
        reason text NOT NULL,
        since timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE TABLE webhook_seen (event_key text PRIMARY KEY, seen_at timestamptz NOT NULL DEFAULT now())`);
    await queryRunner.query(`CREATE TABLE business_phone_number (phone_number_id text PRIMARY KEY, business_id text NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'business_phone_number',
      'webhook_seen',
      'sending_halt',
      'business_pause',
      'unreachable_recipient',
      'recipient_pace',
      'phone_number_pace',
    ])
      await queryRunner.query(`DROP TABLE ${table}`);
    await queryRunner.query(`DROP INDEX dispatch_due`);
    await queryRunner.query(`DROP INDEX dispatch_in_doubt`);
    await queryRunner.query(
      `ALTER TABLE dispatch DROP COLUMN kind, DROP COLUMN message, DROP COLUMN next_attempt_at, DROP COLUMN claimed_at, DROP COLUMN marketing_limit_retries`,
    );
  }
}
