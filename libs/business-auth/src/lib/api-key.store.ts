import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { returnedRows } from '@wt/database';
import { DataSource } from 'typeorm';

/** `wtk_<key id, 12 chars>.<secret, 43 chars>`: the id finds the row, the secret is only stored hashed. */
const API_KEY = /^wtk_([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export interface IssuedApiKey {
  keyId: string;
  businessId: string;
  /** Shown once; only its SHA-256 is stored. */
  apiKey: string;
}

/**
 * Business API keys (`wtk_<id>.<secret>`), shared by every service with a business API; each
 * service's own migration creates its `business_api_key` table. The secret is 256 random bits, so a plain SHA-256 (no slow hash) is enough:
 * a stolen table cannot be turned back into keys, and checking a key costs one index lookup.
 */
@Injectable()
export class ApiKeyStore {
  constructor(private readonly dataSource: DataSource) {}

  async issue(businessId: string, label?: string): Promise<IssuedApiKey> {
    const keyId = randomBytes(9).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO business (business_id) VALUES ($1) ON CONFLICT DO NOTHING`, [businessId]);
      await manager.query(`INSERT INTO business_api_key (key_id, business_id, secret_sha256, label) VALUES ($1, $2, $3, $4)`, [
        keyId,
        businessId,
        sha256(secret),
        label ?? null,
      ]);
    });
    return { keyId, businessId, apiKey: `wtk_${keyId}.${secret}` };
  }

  async revoke(keyId: string): Promise<boolean> {
    const rows = returnedRows<{ key_id: string }>(
      await this.dataSource.query(
        `UPDATE business_api_key SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL RETURNING key_id`,
        [keyId],
      ),
    );
    return rows.length > 0;
  }

  /** The business a presented key belongs to, or undefined (malformed, unknown, wrong secret, revoked). */
  async authenticate(presented: string): Promise<string | undefined> {
    const match = API_KEY.exec(presented);
    if (!match) return undefined;
    const [, keyId, secret] = match;
    const rows: { business_id: string; secret_sha256: Buffer }[] = await this.dataSource.query(
      `SELECT business_id, secret_sha256 FROM business_api_key WHERE key_id = $1 AND revoked_at IS NULL`,
      [keyId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return timingSafeEqual(row.secret_sha256, sha256(secret)) ? row.business_id : undefined;
  }
}
