import { Injectable } from '@nestjs/common';
import { type EngagementNormalizedV1, type InboundMessageV1 } from '@wt/contracts';
import { counter } from '@wt/observability';
import { type InboundMessage, type WhatsAppWebhookPayload } from '@wt/whatsapp';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { DispatcherConfig } from '../dispatcher.config';

const DAY_MS = 86_400_000;
/** Meta attributes business-messaging conversions to an ad click for seven days after it. */
export const AD_CLICK_WINDOW_MS = 7 * DAY_MS;

const attributed = counter({
  name: 'wt_conversions_attributed_total',
  help: 'Purchases attributed to a message (campaign send and/or click-to-WhatsApp ad conversation), by what they were attributed to',
  labelNames: ['to'],
});

/** The WhatsApp Business Account of each business number in a webhook payload (its entry's id). */
export function wabaOfNumbers(payload: WhatsAppWebhookPayload): Map<string, string> {
  const result = new Map<string, string>();
  for (const entry of payload.entry)
    for (const change of entry.changes) {
      // Account-level changes (messaging limits, template quality, throughput) carry no number.
      const phoneNumberId = (change.value as { metadata?: { phone_number_id?: string } } | undefined)?.metadata?.phone_number_id;
      if (phoneNumberId) result.set(phoneNumberId, entry.id);
    }
  return result;
}

/** A stable event id for a purchase (Meta deduplicates by it: a replay or a retry is one event). */
export function conversionEventId(dedupeKey: string): string {
  return `wt_${createHash('sha256').update(`purchase:${dedupeKey}`).digest('hex').slice(0, 40)}`;
}

/**
 * Clicks and conversions (issue 17, point 7). In the webhook's transaction: an inbound message's
 * quick-reply button tap is resolved to the platform's message it answers (`repliesTo`), and the
 * click-to-WhatsApp ad click it came from (`referral.ctwa_clid`) is kept. From the engagement
 * stream: a purchase from a business is attributed to the last message that led to it, the
 * campaign send to that person within ATTRIBUTION_WINDOW_DAYS before it, and the ad click within
 * Meta's seven days; one with an ad click is queued, once, for the Conversions API.
 */
@Injectable()
export class ConversionAttribution {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: DispatcherConfig,
  ) {}

  /** What an inbound message adds to `whatsapp.inbound.v1`: its button payload, our message it answers, its ad. */
  async enrich(
    manager: EntityManager,
    message: InboundMessage,
    inbound: { personId: string; phoneNumberId: string; receivedAt: string; businessId?: string; wabaId?: string },
  ): Promise<Pick<InboundMessageV1, 'buttonPayload' | 'repliesTo' | 'referral'>> {
    const out: Pick<InboundMessageV1, 'buttonPayload' | 'repliesTo' | 'referral'> = {};
    if (message.type === 'button' && message.button?.payload) out.buttonPayload = message.button.payload.slice(0, 256);
    if (message.context?.id) {
      const rows: { decision_id: string; campaign_id: string }[] = await manager.query(
        `SELECT decision_id, campaign_id FROM dispatch WHERE wamid = $1`,
        [message.context.id],
      );
      const row = rows[0];
      if (row) out.repliesTo = { decisionId: row.decision_id, ...(row.campaign_id ? { campaignId: row.campaign_id } : {}) };
    }
    const referral = message.referral;
    if (referral && typeof referral.source_type === 'string') {
      out.referral = {
        sourceType: referral.source_type.slice(0, 32),
        ...(referral.source_id ? { sourceId: String(referral.source_id).slice(0, 128) } : {}),
        ...(referral.ctwa_clid ? { ctwaClid: referral.ctwa_clid.slice(0, 512) } : {}),
      };
      if (referral.ctwa_clid && inbound.wabaId) {
        await manager.query(
          `INSERT INTO ad_click (ctwa_clid, person_id, business_id, phone_number_id, waba_id, source_id, clicked_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ctwa_clid) DO NOTHING`,
          [
            referral.ctwa_clid.slice(0, 512),
            inbound.personId,
            inbound.businessId ?? null,
            inbound.phoneNumberId,
            inbound.wabaId,
            referral.source_id ?? null,
            inbound.receivedAt,
          ],
        );
      }
    }
    return out;
  }

  /** A merged person's ad clicks and conversion events move to the person they were found to be (in the webhook's transaction). */
  async movePerson(manager: EntityManager, from: string, into: string): Promise<void> {
    await manager.query(`UPDATE ad_click SET person_id = $2 WHERE person_id = $1`, [from, into]);
    await manager.query(`UPDATE conversion_event SET person_id = $2 WHERE person_id = $1`, [from, into]);
  }

  /**
   * Attributes purchases (once each: the event id is derived from the purchase's dedupe key) and
   * queues those with an ad click for the Conversions API. Returns how many were new.
   */
  async attribute(purchases: readonly EngagementNormalizedV1[]): Promise<number> {
    const relevant = purchases.filter((p) => p.type === 'purchase' && p.businessId);
    if (relevant.length === 0) return 0;
    const capi = this.config.CONVERSIONS_DATASET_ID ? 'pending' : 'capi_off';
    const rows: { decision_id: string | null; ctwa_clid: string | null }[] = await this.dataSource.query(
      `WITH p AS (
         SELECT * FROM unnest($1::text[], $2::char(64)[], $3::text[], $4::timestamptz[], $5::numeric[], $6::text[])
           AS p(event_id, person_id, business_id, event_time, value, currency)
       ), attributed AS (
         SELECT p.*,
           (SELECT d.decision_id FROM dispatch d
             WHERE d.person_id = p.person_id AND d.business_id = p.business_id AND d.campaign_id <> '' AND d.state = 'accepted'
               AND d.created_at <= p.event_time AND d.created_at > p.event_time - $7 * interval '1 millisecond'
             ORDER BY d.created_at DESC LIMIT 1) AS decision_id,
           a.ctwa_clid, a.waba_id
         FROM p LEFT JOIN LATERAL (
           SELECT ctwa_clid, waba_id FROM ad_click a
           WHERE a.person_id = p.person_id AND (a.business_id = p.business_id OR a.business_id IS NULL)
             AND a.clicked_at <= p.event_time AND a.clicked_at > p.event_time - $8 * interval '1 millisecond'
           ORDER BY a.clicked_at DESC LIMIT 1) a ON true
       )
       INSERT INTO conversion_event (event_id, person_id, business_id, event_name, event_time, value, currency, decision_id, ctwa_clid, waba_id, state, last_error)
       SELECT event_id, person_id, business_id, 'Purchase', event_time, value, currency, decision_id, ctwa_clid, waba_id,
              CASE WHEN ctwa_clid IS NULL THEN 'no_ad_click'
                   WHEN value IS NULL OR currency IS NULL THEN 'incomplete'
                   ELSE $9 END,
              CASE WHEN ctwa_clid IS NOT NULL AND (value IS NULL OR currency IS NULL) THEN 'a Purchase needs value and currency' END
       FROM attributed WHERE decision_id IS NOT NULL OR ctwa_clid IS NOT NULL
       ON CONFLICT (event_id) DO NOTHING
       RETURNING decision_id, ctwa_clid`,
      [
        relevant.map((p) => conversionEventId(p.dedupeKey)),
        relevant.map((p) => p.personId),
        relevant.map((p) => p.businessId),
        relevant.map((p) => p.occurredAt),
        relevant.map((p) => (p.value === undefined ? null : String(p.value))),
        relevant.map((p) => p.currency ?? null),
        this.config.ATTRIBUTION_WINDOW_DAYS * DAY_MS,
        AD_CLICK_WINDOW_MS,
        capi,
      ],
    );
    for (const r of rows) attributed.inc({ to: r.decision_id && r.ctwa_clid ? 'message_and_ad' : r.decision_id ? 'message' : 'ad' });
    return rows.length;
  }
}
