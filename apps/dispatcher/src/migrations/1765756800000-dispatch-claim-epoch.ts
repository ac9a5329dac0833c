import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `dispatch.claim_epoch`: the fencing token of a send's claim, one more at every claim (never less:
 * a claim given back keeps its epoch spent). What a replica writes about a send it claimed (its
 * answer, or giving it back) names the epoch and needs the row still `sending` under it, so a replica
 * that froze past its claim (the row since resolved `unknown`/`expired` and reported `failed`, or
 * claimed again by another) changes nothing: its late answer can no longer put the send back to
 * `pending` to be sent again. A constant default: no table rewrite (PostgreSQL 11+).
 */
export class DispatchClaimEpoch1765756800000 implements MigrationInterface {
  name = 'DispatchClaimEpoch1765756800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dispatch ADD COLUMN claim_epoch bigint NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dispatch DROP COLUMN claim_epoch`);
  }
}
