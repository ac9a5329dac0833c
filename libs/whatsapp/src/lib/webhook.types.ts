/**
 * The `messages` webhook Meta POSTs to a business (inbound messages and message statuses),
 * in Meta's own snake_case shape.
 *
 * Since 2026 a WhatsApp user is also named by a business-scoped user id (BSUID: `user_id`,
 * `from_user_id`, `recipient_user_id`), by a parent BSUID shared by an enrolled business's
 * portfolios (`parent_user_id`, ...), and may have a username; a user with a username may expose
 * no phone number, so every phone field (`wa_id`, `from`, `recipient_id`) is optional. All of them
 * are personal data: never log them. Meta's page:
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */

/** An error as carried by a webhook (in a failed status, in `value.errors` or on an inbound message). */
export interface WebhookError {
  code: number;
  title: string;
  message?: string;
  error_data?: { details: string };
  href?: string;
}

export type MessageStatusValue = 'sent' | 'delivered' | 'read' | 'failed';

/** Category a message is billed in. */
export type PricingCategory =
  'authentication' | 'authentication_international' | 'marketing' | 'marketing_lite' | 'referral_conversion' | 'service' | 'utility';

/** The conversation a message opened or belongs to. */
export interface StatusConversation {
  id: string;
  /** Unix seconds, as a string; only on the first status of a conversation. */
  expiration_timestamp?: string;
  origin: { type: PricingCategory };
}

export interface StatusPricing {
  billable: boolean;
  /** `CBP`: conversation-based pricing (before July 2025); `PMP`: per-message pricing. */
  pricing_model: 'CBP' | 'PMP';
  category: PricingCategory;
  /** Per-message pricing only. */
  type?: 'regular' | 'free_customer_service' | 'free_entry_point';
}

/** One status change of a message the business sent. */
export interface MessageStatusUpdate {
  /** The wamid returned by the send. */
  id: string;
  status: MessageStatusValue;
  /** Unix seconds, as a string. */
  timestamp: string;
  /** The recipient's wa_id; absent when the message went to a BSUID and no number is shared. Personal data: never log it. */
  recipient_id?: string;
  /** The recipient's business-scoped user id. Personal data: never log it. */
  recipient_user_id?: string;
  /** The recipient's parent BSUID, when the business has parent ids enabled. */
  recipient_parent_user_id?: string;
  biz_opaque_callback_data?: string;
  conversation?: StatusConversation;
  pricing?: StatusPricing;
  /** Present when `status` is `failed`. */
  errors?: WebhookError[];
}

export interface WebhookContact {
  /** `username`: the user's WhatsApp username, if they adopted one. Personal data: never log it. */
  profile?: { name?: string; username?: string };
  /** The user's number, when shared. */
  wa_id?: string;
  /** The user's business-scoped user id. */
  user_id?: string;
  parent_user_id?: string;
}

/** Which identifier changed, in a `system` message (no `contacts` array comes with it). */
export interface SystemChange {
  /** `user_changed_number`: a new number (and a new BSUID); `user_changed_user_id`: only the BSUID changed. */
  type: 'user_changed_number' | 'user_changed_user_id' | string;
  body?: string;
  /** The new number (`user_changed_number`). */
  wa_id?: string;
  /** The new business-scoped user id. */
  user_id?: string;
  parent_user_id?: string;
}

export type InboundMessageType =
  | 'text'
  | 'button'
  | 'interactive'
  | 'image'
  | 'audio'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'reaction'
  | 'order'
  | 'system'
  | 'unsupported';

export type InteractiveReply =
  | { type: 'button_reply'; button_reply: { id: string; title: string } }
  | { type: 'list_reply'; list_reply: { id: string; title: string; description?: string } };

/** Meta's `referral` of an inbound message that came from a click-to-WhatsApp ad. */
export interface AdReferral {
  source_url?: string;
  source_id?: string;
  /** `ad` or `post`. */
  source_type: string;
  body?: string;
  headline?: string;
  media_type?: string;
  image_url?: string;
  video_url?: string;
  thumbnail_url?: string;
  ctwa_clid?: string;
  welcome_message?: { text: string };
}

/** Something a person wrote to the business. */
export interface InboundMessage {
  /** The sender's wa_id; absent when the sender shares no number. Personal data: never log it. */
  from?: string;
  /** The sender's business-scoped user id. */
  from_user_id?: string;
  from_parent_user_id?: string;
  id: string;
  /** Unix seconds, as a string. */
  timestamp: string;
  type: InboundMessageType;
  text?: { body: string };
  /** A tap on a quick-reply button of a template. */
  button?: { text: string; payload: string };
  interactive?: InteractiveReply;
  /**
   * Only on the first message after a tap on a click-to-WhatsApp ad: the ad, and its click id
   * (`ctwa_clid`, omitted for WhatsApp Status ads), what the Conversions API attributes events to.
   */
  referral?: AdReferral;
  /** The message this one answers (for a button tap: the template message). */
  context?: { from: string; id: string; forwarded?: boolean; frequently_forwarded?: boolean };
  errors?: WebhookError[];
  /** `type: 'system'`: the sender changed number or BSUID. */
  system?: SystemChange;
}

export interface MessagesChangeValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: WebhookContact[];
  messages?: InboundMessage[];
  statuses?: MessageStatusUpdate[];
  errors?: WebhookError[];
}

/** A person stopped or resumed marketing messages from the business (Meta's `user_preferences` field). */
export interface UserPreference {
  /** Absent when the user shares no number. */
  wa_id?: string;
  user_id?: string;
  parent_user_id?: string;
  detail?: string;
  category: 'marketing_messages';
  value: 'stop' | 'resume';
  timestamp: string;
}

export interface UserPreferencesChangeValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: WebhookContact[];
  user_preferences: UserPreference[];
}

export type WebhookChange =
  { field: 'messages'; value: MessagesChangeValue } | { field: 'user_preferences'; value: UserPreferencesChangeValue };

export interface WebhookEntry {
  /** The WhatsApp Business Account id. */
  id: string;
  changes: WebhookChange[];
}

export interface WhatsAppWebhookPayload {
  object: 'whatsapp_business_account';
  entry: WebhookEntry[];
}

/** A status together with the business phone number it concerns. */
export interface ReceivedStatus {
  phoneNumberId: string;
  status: MessageStatusUpdate;
}

/** An inbound message together with the business phone number it was sent to and the sender's profile. */
export interface ReceivedMessage {
  phoneNumberId: string;
  message: InboundMessage;
  contact?: WebhookContact;
}

/** Flattens every status of a (validated) payload, in payload order. */
export function statusesOf(payload: WhatsAppWebhookPayload): ReceivedStatus[] {
  return payload.entry.flatMap((entry) =>
    entry.changes.flatMap((change) =>
      (change.field === 'messages' ? (change.value.statuses ?? []) : []).map((status) => ({
        phoneNumberId: change.value.metadata.phone_number_id,
        status,
      })),
    ),
  );
}

/** Flattens every inbound message of a (validated) payload, in payload order. */
export function inboundMessagesOf(payload: WhatsAppWebhookPayload): ReceivedMessage[] {
  return payload.entry.flatMap((entry) =>
    entry.changes.flatMap((change) =>
      change.field === 'messages'
        ? (change.value.messages ?? []).map((message) => ({
            phoneNumberId: change.value.metadata.phone_number_id,
            message,
            contact: change.value.contacts?.find(
              (contact) =>
                (message.from !== undefined && contact.wa_id === message.from) ||
                (message.from_user_id !== undefined && contact.user_id === message.from_user_id),
            ),
          }))
        : [],
    ),
  );
}

export interface ReceivedUserPreference {
  phoneNumberId: string;
  preference: UserPreference;
  /** The user's entry in `contacts` (name, username), when the webhook has one. */
  contact?: WebhookContact;
}

/** Every marketing stop or resume in a webhook payload, with the business number it concerns. */
export function userPreferencesOf(payload: WhatsAppWebhookPayload): ReceivedUserPreference[] {
  return payload.entry.flatMap((entry) =>
    entry.changes.flatMap((change) =>
      change.field === 'user_preferences'
        ? (change.value.user_preferences ?? []).map((preference) => ({
            phoneNumberId: change.value.metadata.phone_number_id,
            preference,
            contact: change.value.contacts?.find(
              (contact) =>
                (preference.wa_id !== undefined && contact.wa_id === preference.wa_id) ||
                (preference.user_id !== undefined && contact.user_id === preference.user_id),
            ),
          }))
        : [],
    ),
  );
}
