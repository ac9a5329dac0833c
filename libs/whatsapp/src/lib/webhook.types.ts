/**
 * The `messages` webhook Meta POSTs to a business (inbound messages and message statuses),
 * in Meta's own snake_case shape.
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
  /** The recipient's wa_id. Personal data: never log it. */
  recipient_id: string;
  biz_opaque_callback_data?: string;
  conversation?: StatusConversation;
  pricing?: StatusPricing;
  /** Present when `status` is `failed`. */
  errors?: WebhookError[];
}

export interface WebhookContact {
  profile: { name: string };
  wa_id: string;
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
  /** The sender's wa_id. Personal data: never log it. */
  from: string;
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
  wa_id: string;
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
            contact: change.value.contacts?.find((contact) => contact.wa_id === message.from),
          }))
        : [],
    ),
  );
}

export interface ReceivedUserPreference {
  phoneNumberId: string;
  preference: UserPreference;
}

/** Every marketing stop or resume in a webhook payload, with the business number it concerns. */
export function userPreferencesOf(payload: WhatsAppWebhookPayload): ReceivedUserPreference[] {
  return payload.entry.flatMap((entry) =>
    entry.changes.flatMap((change) =>
      change.field === 'user_preferences'
        ? (change.value.user_preferences ?? []).map((preference) => ({
            phoneNumberId: change.value.metadata.phone_number_id,
            preference,
          }))
        : [],
    ),
  );
}
