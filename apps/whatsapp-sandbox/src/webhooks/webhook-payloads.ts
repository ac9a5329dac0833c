import { createHash } from 'node:crypto';
import type {
  InboundMessage,
  MessageStatusUpdate,
  MessagesChangeValue,
  UserPreference,
  WebhookContact,
  WhatsAppWebhookPayload,
} from '@wt/whatsapp';

/** The business account and number a webhook is about. */
export interface WebhookOrigin {
  wabaId: string;
  phoneNumberId: string;
}

/**
 * A stable, plausible display number for a phone_number_id (the sandbox has no real numbers):
 * `1555` followed by seven digits derived from the id, like Meta's test numbers.
 */
export function displayPhoneNumber(phoneNumberId: string): string {
  const digits = createHash('sha256').update(phoneNumberId).digest().readUInt32BE(0) % 10_000_000;
  return `1555${String(digits).padStart(7, '0')}`;
}

function payload(origin: WebhookOrigin, value: Omit<MessagesChangeValue, 'messaging_product' | 'metadata'>): WhatsAppWebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: origin.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: displayPhoneNumber(origin.phoneNumberId),
                phone_number_id: origin.phoneNumberId,
              },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** One status of one message, as Meta posts it (one status per webhook). */
export function statusWebhook(origin: WebhookOrigin, status: MessageStatusUpdate): WhatsAppWebhookPayload {
  return payload(origin, { statuses: [status] });
}

/** One message a person wrote to the business. */
export function inboundWebhook(origin: WebhookOrigin, contact: WebhookContact, message: InboundMessage): WhatsAppWebhookPayload {
  return payload(origin, { contacts: [contact], messages: [message] });
}

/** A `system` message: the user changed number or business-scoped user id (no `contacts` array, as at Meta). */
export function systemWebhook(origin: WebhookOrigin, message: InboundMessage): WhatsAppWebhookPayload {
  return payload(origin, { messages: [message] });
}

/** A person stopping or resuming marketing messages from the business (`user_preferences` field). */
export function userPreferencesWebhook(origin: WebhookOrigin, contact: WebhookContact, preference: UserPreference): WhatsAppWebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: origin.wabaId,
        changes: [
          {
            field: 'user_preferences',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: displayPhoneNumber(origin.phoneNumberId),
                phone_number_id: origin.phoneNumberId,
              },
              contacts: [contact],
              user_preferences: [preference],
            },
          },
        ],
      },
    ],
  };
}

/** Unix seconds as a string, the webhook timestamp format. */
export function unixSeconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}
