import { type ConsentEventV1, type DeadLetterReason, type DeadLetterV1 } from '@wt/contracts';
import { type ContactSealer } from '@wt/identity';
import { DeadLetterSealer, httpDeadLettersFor, type OutgoingRecord } from '@wt/kafka';
import { type MessageStatusUpdate } from '@wt/whatsapp';
import { counter } from '@wt/observability';

/**
 * Webhook events the dispatcher could not match to anything it knows, by kind and reason. Nothing
 * of a webhook is dropped silently: each is counted here, and those that carry data are also
 * dead-lettered (`unmatched_status`, `unknown_business_number`), never with the number in clear.
 *
 * - `status`/`unknown_message`: a status of a message this platform has no record of (dead-lettered);
 * - `status`/`repeated`: a status already recorded, or one of an attempt retired by a retry (counted only);
 * - `preference`/`unknown_business_number`, `stop`/`unknown_business_number`: a marketing stop sent to a
 *   number no campaign names, so its business is unknown (the preference is dead-lettered; the STOP
 *   stays on whatsapp.inbound.v1);
 * - `preference`/`invalid_sender`, `inbound`/`invalid_sender`: the sender is not a valid number (counted only).
 */
export const webhookUnmatched = counter({
  name: 'wt_webhook_unmatched_total',
  help: 'WhatsApp webhook events matched to nothing the dispatcher knows, by kind and reason',
  labelNames: ['kind', 'reason'],
});

/** Where a consent change came from when the person typed an opt-out word: the assistant uses the same. */
export const OPT_OUT_REPLY_SOURCE = 'whatsapp-reply';

/**
 * The revocation of a business's marketing consent for an opt-out word (STOP...) or a marketing
 * stop preference. It names the person by personId, never by number. A STOP's revocation is the
 * very record the assistant publishes for the same message (same person, business, time and source),
 * so when both publish, profiles' ledger keeps one row (its unique key) and the state one change.
 */
export function revocation(personId: string, businessId: string, occurredAt: string, source: string): OutgoingRecord<ConsentEventV1> {
  return {
    key: personId,
    value: {
      personId,
      purpose: 'whatsapp_marketing',
      businessId,
      status: 'revoked',
      occurredAt,
      source,
      assertedVia: 'whatsapp_webhook',
      assertedBy: 'dispatcher',
    },
  };
}

/** A status with what identifies its message, and nothing about the recipient (no `recipient_id`). */
export function statusWithoutRecipient(phoneNumberId: string, status: MessageStatusUpdate): object {
  return {
    phoneNumberId,
    id: status.id,
    status: status.status,
    timestamp: status.timestamp,
    ...(status.biz_opaque_callback_data ? { biz_opaque_callback_data: status.biz_opaque_callback_data } : {}),
    ...(status.errors ? { errors: status.errors.map((e) => ({ code: e.code, title: e.title })) } : {}),
  };
}

/** A webhook event matched to nothing, to dead-letter. */
export interface UnmatchedEvent {
  reason: DeadLetterReason;
  detail: string;
  kind: 'status' | 'preference';
  payload: object;
}

export function webhookEvent(reason: DeadLetterReason, detail: string, kind: UnmatchedEvent['kind'], payload: object): UnmatchedEvent {
  return { reason, detail, kind, payload };
}

/** The clear header naming a webhook dead letter's event kind (`status`, `preference`). */
export const WEBHOOK_EVENT_HEADER = 'wt-webhook-event';

/**
 * The dead letters of webhook events matched to nothing: as every HTTP door's (`httpDeadLettersFor`:
 * origin `http`, payloads sealed under the person's key when they name a personId, else the day's
 * dead-letter key, in one vault round trip), the event kind in a clear header.
 */
export async function webhookDeadLetters(
  sealer: ContactSealer,
  events: readonly UnmatchedEvent[],
  now = new Date(),
): Promise<OutgoingRecord<DeadLetterV1>[]> {
  const refusals = events.map((e) => ({
    reason: e.reason,
    detail: e.detail,
    value: Buffer.from(JSON.stringify(e.payload), 'utf8'),
    headers: { [WEBHOOK_EVENT_HEADER]: e.kind },
  }));
  return httpDeadLettersFor('dispatcher', refusals, new DeadLetterSealer(sealer), now);
}
