import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 15, point 6: every consent change in the ledger says who asserted it and how, as ingest
 * attributed it: `asserted_via` (`http_api`, `kafka_producer`, `whatsapp_webhook`, `assistant`),
 * `asserted_by` (the API key's business, or the Kafka producer's declared name) and, over HTTP,
 * `asserted_key_id`. Rows recorded before stay null (unknown): nothing can tell them now.
 */
export class ConsentAttribution1765152000000 implements MigrationInterface {
  name = 'ConsentAttribution1765152000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE consent_ledger
        ADD COLUMN asserted_via text,
        ADD COLUMN asserted_by text,
        ADD COLUMN asserted_key_id text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE consent_ledger
        DROP COLUMN asserted_via,
        DROP COLUMN asserted_by,
        DROP COLUMN asserted_key_id`);
  }
}
