import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `decision_outbox`: the decisions a transaction stored, as the records to publish, written in
 * that transaction. Publishing comes after the commit; a row still here a few seconds later (the
 * publish failed, or the process died in between) is published by the relay. Rows hold the sealed
 * contact of a send only until they are published.
 */
export class DecisionOutbox1765065600000 implements MigrationInterface {
  name = 'DecisionOutbox1765065600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE decision_outbox (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), records jsonb NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE decision_outbox`);
  }
}
