import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `campaign_outbox`: campaign states the API stored, as the records to publish on `campaigns.v1`,
 * written in the storing transaction and deleted once published (see CampaignOutbox). `key` is
 * the campaign id: a campaign's rows are published in order.
 */
export class CampaignOutbox1765152000000 implements MigrationInterface {
  name = 'CampaignOutbox1765152000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE campaign_outbox (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), key text NOT NULL, records jsonb NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX campaign_outbox_key ON campaign_outbox (key, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE campaign_outbox`);
  }
}
