import { Injectable } from '@nestjs/common';
import { returnedRows } from '@wt/database';
import { DataSource } from 'typeorm';

/** Which business owns each WhatsApp business phone number id (`business_phone_number`). */
@Injectable()
export class PhoneNumberStore {
  constructor(private readonly dataSource: DataSource) {}

  /** True when inserted now; false when the number id already had an owner (this business or another). */
  async insert(businessId: string, phoneNumberId: string): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO business_phone_number (phone_number_id, business_id) VALUES ($1, $2)
       ON CONFLICT (phone_number_id) DO NOTHING RETURNING business_id`,
      [phoneNumberId, businessId],
    );
    return inserted.length > 0;
  }

  async delete(businessId: string, phoneNumberId: string): Promise<boolean> {
    const result: unknown = await this.dataSource.query(
      `DELETE FROM business_phone_number WHERE phone_number_id = $1 AND business_id = $2 RETURNING phone_number_id`,
      [phoneNumberId, businessId],
    );
    return returnedRows(result).length > 0;
  }

  async list(businessId: string): Promise<string[]> {
    const rows: { phone_number_id: string }[] = await this.dataSource.query(
      `SELECT phone_number_id FROM business_phone_number WHERE business_id = $1 ORDER BY phone_number_id`,
      [businessId],
    );
    return rows.map((r) => r.phone_number_id);
  }

  /** The owners of these number ids (the ones without an owner are left out). */
  async owners(phoneNumberIds: readonly string[]): Promise<Map<string, string>> {
    if (phoneNumberIds.length === 0) return new Map();
    const rows: { phone_number_id: string; business_id: string }[] = await this.dataSource.query(
      `SELECT phone_number_id, business_id FROM business_phone_number WHERE phone_number_id = ANY($1)`,
      [phoneNumberIds],
    );
    return new Map(rows.map((r) => [r.phone_number_id, r.business_id]));
  }
}
