import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The claim's index: pending sends by business number and due time. A claim takes each leased
 * number's earliest due sends (up to its cap) and the send lease finds the numbers with due sends,
 * both reading only the index range they need, not every pending row.
 */
export class DispatchDueByNumber1765584000000 implements MigrationInterface {
  name = 'DispatchDueByNumber1765584000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS dispatch_due_by_number ON dispatch (phone_number_id, next_attempt_at) WHERE state = 'pending'`,
    );
    // The lease finds numbers with due sends through business_phone_number, which enqueue fills: any
    // number queued otherwise (by hand, say) is added.
    await queryRunner.query(
      `INSERT INTO business_phone_number (phone_number_id, business_id)
       SELECT DISTINCT ON (phone_number_id) phone_number_id, business_id FROM dispatch WHERE state = 'pending'
       ON CONFLICT (phone_number_id) DO NOTHING`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS dispatch_due_by_number`);
  }
}
