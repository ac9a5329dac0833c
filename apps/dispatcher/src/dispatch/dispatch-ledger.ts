import { Injectable } from '@nestjs/common';
import { type TargetingDecisionV1 } from '@wt/contracts';
import { returnedRows } from '@wt/database';
import { DataSource } from 'typeorm';

export interface LedgerRow {
  decisionId: string;
  personId: string;
  businessId: string;
  campaignId: string;
}

@Injectable()
export class DispatchLedger {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims decisions for sending: inserts them as `pending` and moves every `pending` one of
   * this batch to `sending`, in one transaction. Returns the decision ids this call may send.
   * A decision already `sending`, `accepted`, `rejected` or `unknown` is never returned again.
   */
  async claim(decisions: readonly TargetingDecisionV1[]): Promise<Set<string>> {
    if (decisions.length === 0) return new Set();
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO dispatch (decision_id, person_id, business_id, campaign_id, phone_number_id, state)
         SELECT d.*, 'pending' FROM unnest($1::text[], $2::char(64)[], $3::text[], $4::text[], $5::text[]) AS d
         ON CONFLICT (decision_id) DO NOTHING`,
        [
          decisions.map((d) => d.decisionId),
          decisions.map((d) => d.personId),
          decisions.map((d) => d.businessId),
          decisions.map((d) => d.campaignId),
          decisions.map((d) => d.send?.phoneNumberId ?? ''),
        ],
      );
      const rows = returnedRows<{ decision_id: string }>(await manager.query(
        `UPDATE dispatch SET state = 'sending', attempts = attempts + 1, updated_at = now()
         WHERE decision_id = ANY($1::text[]) AND state = 'pending'
         RETURNING decision_id`,
        [decisions.map((d) => d.decisionId)],
      ));
      return new Set(rows.map((r) => r.decision_id));
    });
  }

  async accepted(decisionId: string, wamid: string): Promise<void> {
    await this.dataSource.query(`UPDATE dispatch SET state = 'accepted', wamid = $2, updated_at = now() WHERE decision_id = $1`, [decisionId, wamid]);
  }

  async rejected(decisionId: string, code: number | null): Promise<void> {
    await this.dataSource.query(`UPDATE dispatch SET state = 'rejected', error_code = $2, updated_at = now() WHERE decision_id = $1`, [
      decisionId,
      code,
    ]);
  }

  async unknown(decisionId: string): Promise<void> {
    await this.dataSource.query(`UPDATE dispatch SET state = 'unknown', updated_at = now() WHERE decision_id = $1`, [decisionId]);
  }

  /**
   * Records a webhook status. Finds the message by wamid, or by the decision id Meta echoes in
   * `biz_opaque_callback_data` (which also resolves an `unknown` send: Meta did accept it).
   * Returns the row if this status is new for the message, undefined for a redelivery.
   */
  async recordStatus(wamid: string, decisionId: string | undefined, status: string, errorCode?: number): Promise<LedgerRow | undefined> {
    const rows = returnedRows<{ decision_id: string; person_id: string; business_id: string; campaign_id: string }>(await this.dataSource.query(
      `UPDATE dispatch SET
         statuses = array_append(statuses, $3),
         wamid = COALESCE(wamid, $1),
         state = CASE WHEN state IN ('sending', 'unknown') THEN 'accepted' ELSE state END,
         error_code = COALESCE($4, error_code),
         updated_at = now()
       WHERE (wamid = $1 OR ($2::text IS NOT NULL AND decision_id = $2)) AND NOT ($3 = ANY(statuses))
       RETURNING decision_id, person_id, business_id, campaign_id`,
      [wamid, decisionId ?? null, status, errorCode ?? null],
    ));
    const row = rows[0];
    return row && { decisionId: row.decision_id, personId: row.person_id, businessId: row.business_id, campaignId: row.campaign_id };
  }
}
