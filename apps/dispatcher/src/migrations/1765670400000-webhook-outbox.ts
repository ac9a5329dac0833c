import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `webhook_outbox`: what a webhook's transaction recorded, as the records to publish (statuses,
 * inbound messages, consent changes, signals, merges, dead letters), written in that transaction.
 * Published after the commit; a row still here after the writer's claim (the publish failed, or the
 * process died in between) is published by the relay (see WebhookOutbox). `created_at` is the
 * insert's time (`clock_timestamp()`, not the transaction's start): the writer's claim counts from
 * it. Rows hold sealed contacts only until they are published.
 */
export class WebhookOutbox1765670400000 implements MigrationInterface {
  name = 'WebhookOutbox1765670400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE webhook_outbox (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT clock_timestamp(), records jsonb NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_outbox`);
  }
}
