import { Injectable } from '@nestjs/common';
import { returnedRows } from '@wt/database';
import { DataSource } from 'typeorm';

export type RegisterOutcome = 'registered' | 'already_registered' | 'owned_by_another_business';

/** Which business owns each WhatsApp business phone number id (the inbound messages name only the number). */
@Injectable()
export class PhoneNumberStore {
  constructor(private readonly dataSource: DataSource) {}

  async register(businessId: string, phoneNumberId: string): Promise<RegisterOutcome> {
    const inserted: { business_id: string }[] = await this.dataSource.query(
      `INSERT INTO business_phone_number (phone_number_id, business_id) VALUES ($1, $2)
       ON CONFLICT (phone_number_id) DO NOTHING RETURNING business_id`,
      [phoneNumberId, businessId],
    );
    if (inserted.length > 0) return 'registered';
    const owner = await this.owner(phoneNumberId);
    return owner === businessId ? 'already_registered' : 'owned_by_another_business';
  }

  async unregister(businessId: string, phoneNumberId: string): Promise<boolean> {
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

  async owner(phoneNumberId: string): Promise<string | undefined> {
    const rows: { business_id: string }[] = await this.dataSource.query(
      `SELECT business_id FROM business_phone_number WHERE phone_number_id = $1`,
      [phoneNumberId],
    );
    return rows[0]?.business_id;
  }

  /** Owners of several numbers at once (one query per consumed batch). */
  async owners(phoneNumberIds: string[]): Promise<Map<string, string>> {
    if (phoneNumberIds.length === 0) return new Map();
    const rows: { phone_number_id: string; business_id: string }[] = await this.dataSource.query(
      `SELECT phone_number_id, business_id FROM business_phone_number WHERE phone_number_id = ANY($1)`,
      [phoneNumberIds],
    );
    return new Map(rows.map((r) => [r.phone_number_id, r.business_id]));
  }
}
