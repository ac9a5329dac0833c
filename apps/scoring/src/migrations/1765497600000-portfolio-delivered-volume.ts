import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Per-message pricing's volume tiers (issue 17, point 3): the messages each business portfolio had
 * delivered this calendar month per pricing category and market, as the dispatcher counted them
 * (`monthlyRank` of the delivered statuses' pricing; the highest seen). A send's estimate is priced
 * at the tier this count reached, the one Meta will bill it at (not at scoring's own decided sends).
 */
export class PortfolioDeliveredVolume1765497600000 implements MigrationInterface {
  name = 'PortfolioDeliveredVolume1765497600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE portfolio_delivered_volume (
         business_id text NOT NULL,
         month date NOT NULL,
         category text NOT NULL,
         market text NOT NULL,
         delivered bigint NOT NULL,
         PRIMARY KEY (business_id, month, category, market)
       )`,
    );
    // The count of decided sends it replaces.
    await queryRunner.query(`DROP INDEX IF EXISTS decision_monthly_volume`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX decision_monthly_volume ON decision (business_id, cost_category, cost_market, decided_at) WHERE outcome = 'send' AND cost_category IS NOT NULL`,
    );
    await queryRunner.query(`DROP TABLE portfolio_delivered_volume`);
  }
}
