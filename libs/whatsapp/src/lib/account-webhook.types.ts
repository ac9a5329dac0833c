/**
 * The account webhooks of a WhatsApp Business Account that the platform follows besides `messages`
 * (Meta's webhook references, read 2026-12-07):
 * - `phone_number_quality_update`: a number's throughput changed (event `THROUGHPUT_UPGRADE`,
 *   `current_limit` `TIER_UNLIMITED`: 1,000 mps), or the portfolio's messaging limit
 *   (`max_daily_conversations_per_business`, webhooks v24.0+);
 *   https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update
 * - `business_capability_update`: the portfolio's messaging limit (`max_daily_conversations_per_business`);
 *   https://developers.facebook.com/docs/whatsapp/messaging-limits
 * - `message_template_status_update`: a template approved, paused, disabled... (`event`, `reason`);
 *   https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_status_update
 * - `message_template_quality_update`: GREEN, YELLOW, RED or UNKNOWN;
 *   https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_quality_update
 */
import type { WhatsAppWebhookPayload } from './webhook.types';

export interface PhoneNumberQualityUpdateValue {
  display_phone_number: string;
  /** `THROUGHPUT_UPGRADE`, `THROUGHPUT_DOWNGRADE`, `UPGRADE`, `DOWNGRADE`, `FLAGGED`, `UNFLAGGED`, `ONBOARDING`... */
  event: string;
  old_limit?: string;
  /** Removed by Meta in February 2026 for messaging limits; still the throughput level (`TIER_UNLIMITED`: higher throughput). */
  current_limit?: string;
  max_daily_conversations_per_business?: string | number;
}

export interface BusinessCapabilityUpdateValue {
  max_daily_conversations_per_business?: string | number;
  max_phone_numbers_per_business?: number;
}

export type TemplateStatusEvent =
  | 'APPROVED'
  | 'REJECTED'
  | 'PAUSED'
  | 'DISABLED'
  | 'FLAGGED'
  | 'PENDING_DELETION'
  | 'ARCHIVED'
  | 'UNARCHIVED'
  | 'REINSTATED'
  | 'LOCKED'
  | 'UNLOCKED';

export interface MessageTemplateStatusUpdateValue {
  event: TemplateStatusEvent | string;
  message_template_id: number;
  message_template_name: string;
  message_template_language: string;
  reason?: string | null;
  message_template_category?: string;
  disable_info?: { disable_date: string };
  other_info?: { title: string; description: string };
}

export type TemplateQuality = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';

export interface MessageTemplateQualityUpdateValue {
  previous_quality_score: TemplateQuality | string;
  new_quality_score: TemplateQuality | string;
  message_template_id: number;
  message_template_name: string;
  message_template_language: string;
}

export type AccountChange =
  | { wabaId: string; field: 'phone_number_quality_update'; value: PhoneNumberQualityUpdateValue }
  | { wabaId: string; field: 'business_capability_update'; value: BusinessCapabilityUpdateValue }
  | { wabaId: string; field: 'message_template_status_update'; value: MessageTemplateStatusUpdateValue }
  | { wabaId: string; field: 'message_template_quality_update'; value: MessageTemplateQualityUpdateValue };

const ACCOUNT_FIELDS = new Set([
  'phone_number_quality_update',
  'business_capability_update',
  'message_template_status_update',
  'message_template_quality_update',
]);

/** The account changes of a webhook, with the account each concerns; other fields are left out. */
export function accountChangesOf(payload: WhatsAppWebhookPayload): AccountChange[] {
  const changes: AccountChange[] = [];
  for (const entry of payload.entry ?? []) {
    for (const change of (entry.changes ?? []) as unknown as { field?: unknown; value?: unknown }[]) {
      if (typeof change.field !== 'string' || !ACCOUNT_FIELDS.has(change.field)) continue;
      if (typeof change.value !== 'object' || change.value === null) continue;
      const value = change.value as Record<string, unknown>;
      // What the platform reads of each must be there (a malformed change is left out, not a failure).
      if (change.field === 'phone_number_quality_update' && typeof value['display_phone_number'] !== 'string') continue;
      if (
        change.field.startsWith('message_template_') &&
        (typeof value['message_template_name'] !== 'string' || typeof value['message_template_language'] !== 'string')
      )
        continue;
      changes.push({ wabaId: entry.id, field: change.field, value: change.value } as AccountChange);
    }
  }
  return changes;
}

/** One account change in a webhook payload, as Meta posts them (one change per POST). */
export function accountWebhook<C extends AccountChange>(change: C): WhatsAppWebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: change.wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field: change.field, value: change.value }] }],
  } as unknown as WhatsAppWebhookPayload;
}

/** Meta's messaging-limit tiers. */
export const MESSAGING_LIMIT_TIERS = [250, 2000, 10_000, 100_000] as const;

/**
 * A messaging limit as Meta writes it (`TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`,
 * `TIER_UNLIMITED`, or a number): unique recipients per rolling 24 h, `null` for unlimited,
 * `undefined` when it says nothing usable.
 */
export function messagingLimitOf(value: unknown): number | null | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toUpperCase();
  if (text === 'TIER_UNLIMITED' || text === 'UNLIMITED') return null;
  const tier = /^(?:TIER_)?(\d+)(K?)$/.exec(text);
  if (!tier) return undefined;
  return Number(tier[1]) * (tier[2] === 'K' ? 1000 : 1);
}

/** The text Meta writes for a limit, for the sandbox's webhooks. */
export function messagingLimitTier(limit: number | null): string {
  if (limit === null) return 'TIER_UNLIMITED';
  return limit >= 1000 && limit % 1000 === 0 ? `TIER_${limit / 1000}K` : `TIER_${limit}`;
}
