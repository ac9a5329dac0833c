import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Fencing of the send claims. A claim carries a token (`claim_token`, new for every claim, from a
 * sequence) and a lease (`lease_until`); the statement that hands a claimed send over to the call
 * to WhatsApp names the token and needs the lease alive, and stamps `called_at`. A claim whose
 * lease ran out is taken back by any replica: to `pending` when it was never handed to a call
 * (nothing reached WhatsApp), to `unknown` when it was. A replica that froze past its lease finds
 * its token gone and calls nothing. `recipient_pace.called_at` is when the pair's last call was
 * handed over, so the pair's pace holds at the call, across replicas and after a freeze.
 */
export class DispatchClaimLease1765400000000 implements MigrationInterface {
  name = 'DispatchClaimLease1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE dispatch_claim_token`);
    await queryRunner.query(
      `ALTER TABLE dispatch ADD COLUMN claim_token bigint, ADD COLUMN lease_until timestamptz, ADD COLUMN called_at timestamptz`,
    );
    // Claims made before this migration: their call may have been made, and their lease is the old orphan rule's.
    await queryRunner.query(
      `UPDATE dispatch SET called_at = claimed_at, lease_until = claimed_at + interval '15 seconds' WHERE state = 'sending'`,
    );
    await queryRunner.query(`CREATE INDEX dispatch_lease ON dispatch (lease_until) WHERE state = 'sending'`);
    await queryRunner.query(`ALTER TABLE recipient_pace ADD COLUMN called_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE recipient_pace DROP COLUMN called_at`);
    await queryRunner.query(`DROP INDEX dispatch_lease`);
    await queryRunner.query(`ALTER TABLE dispatch DROP COLUMN claim_token, DROP COLUMN lease_until, DROP COLUMN called_at`);
    await queryRunner.query(`DROP SEQUENCE dispatch_claim_token`);
  }
}
