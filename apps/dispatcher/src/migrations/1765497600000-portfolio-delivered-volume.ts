import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Per-message pricing's volume tiers (issue 17, point 3): how many messages each business portfolio
 * had delivered this calendar month, per pricing category and market (Meta bills on delivery and
 * picks the tier from that count), and the rank each counted message took (`message_cost.monthly_rank`,
 * so a redelivered status counts once). One row per portfolio, month, category and market.
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
    await queryRunner.query(`ALTER TABLE message_cost ADD COLUMN monthly_rank bigint`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE message_cost DROP COLUMN monthly_rank`);
    await queryRunner.query(`DROP TABLE portfolio_delivered_volume`);
  }
}
