import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { returnedRows } from '@wt/database';
import { DataSource } from 'typeorm';

/** `wtk_<key id, 12 chars>.<secret, 43 chars>`: the id finds the row, the secret is only stored hashed. */
const API_KEY = /^wtk_([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * What a key may do, where a service checks scopes (ingest's doors): `consent:write` consents of
 * the key's own business; `engagement:write` engagement events of the key's own source. Keys of
 * services whose table has no `scopes` column (scoring, the assistant) have none and act for
 * their business on that service's business API.
 */
export const API_KEY_SCOPES = ['consent:write', 'engagement:write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface IssuedApiKey {
  keyId: string;
  /** The business the key acts for; absent on a producer key. */
  businessId?: string;
  /** The engagement source a producer key is bound to (`facebook`, `instagram`, a partner). */
  source?: string;
  scopes?: ApiKeyScope[];
  /** Shown once; only its SHA-256 is stored. */
  apiKey: string;
}

/** Who presented a valid key: its id, and the business or the source it is bound to. */
export interface ApiKeyPrincipal {
  keyId: string;
  businessId?: string;
  source?: string;
  scopes: readonly ApiKeyScope[];
}

interface ApiKeyRow {
  business_id: string | null;
  secret_sha256: Buffer;
  /** Only in tables that have the column (ingest's). */
  source?: string | null;
  scopes?: string[] | null;
}

/**
 * Business API keys (`wtk_<id>.<secret>`), shared by every service with a business API; each
 * service's own migration creates its `business_api_key` table. The secret is 256 random bits, so a plain SHA-256 (no slow hash) is enough:
 * a stolen table cannot be turned back into keys, and checking a key costs one index lookup.
 *
 * A table may also have `source` and `scopes` columns (ingest's): keys with scopes, and producer
 * keys bound to an engagement source rather than to a business.
 */
@Injectable()
export class ApiKeyStore {
  constructor(private readonly dataSource: DataSource) {}

  /** A key of `businessId`; `scopes` only where the table has the column. */
  async issue(businessId: string, label?: string, scopes?: readonly ApiKeyScope[]): Promise<IssuedApiKey> {
    const keyId = randomBytes(9).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO business (business_id) VALUES ($1) ON CONFLICT DO NOTHING`, [businessId]);
      if (scopes) {
        await manager.query(
          `INSERT INTO business_api_key (key_id, business_id, secret_sha256, label, scopes) VALUES ($1, $2, $3, $4, $5)`,
          [keyId, businessId, sha256(secret), label ?? null, scopes],
        );
      } else {
        await manager.query(`INSERT INTO business_api_key (key_id, business_id, secret_sha256, label) VALUES ($1, $2, $3, $4)`, [
          keyId,
          businessId,
          sha256(secret),
          label ?? null,
        ]);
      }
    });
    return { keyId, businessId, ...(scopes ? { scopes: [...scopes] } : {}), apiKey: `wtk_${keyId}.${secret}` };
  }

  /** A producer key: `engagement:write` for events of `source` only (tables with `source` and `scopes`). */
  async issueProducer(source: string, label?: string): Promise<IssuedApiKey> {
    const keyId = randomBytes(9).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const scopes: ApiKeyScope[] = ['engagement:write'];
    await this.dataSource.query(`INSERT INTO business_api_key (key_id, source, secret_sha256, label, scopes) VALUES ($1, $2, $3, $4, $5)`, [
      keyId,
      source,
      sha256(secret),
      label ?? null,
      scopes,
    ]);
    return { keyId, source, scopes, apiKey: `wtk_${keyId}.${secret}` };
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

  /** The business a presented key belongs to, or undefined (malformed, unknown, wrong secret, revoked, producer key). */
  async authenticate(presented: string): Promise<string | undefined> {
    return (await this.identify(presented))?.businessId;
  }

  /** Who a presented key stands for, or undefined (malformed, unknown, wrong secret, revoked). */
  async identify(presented: string): Promise<ApiKeyPrincipal | undefined> {
    const match = API_KEY.exec(presented);
    if (!match) return undefined;
    const [, keyId, secret] = match;
    // `*`: the same query for tables with and without `source` and `scopes`.
    const rows: ApiKeyRow[] = await this.dataSource.query(`SELECT * FROM business_api_key WHERE key_id = $1 AND revoked_at IS NULL`, [
      keyId,
    ]);
    const row = rows[0];
    if (!row || !timingSafeEqual(row.secret_sha256, sha256(secret))) return undefined;
    return {
      keyId,
      ...(row.business_id ? { businessId: row.business_id } : {}),
      ...(row.source ? { source: row.source } : {}),
      scopes: (row.scopes ?? []).filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s)),
    };
  }
}
