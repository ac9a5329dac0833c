/**
 * Request and response shapes of the WhatsApp Cloud API send endpoint
 * (`POST /{version}/{phone-number-id}/messages`, Graph API v25.0; versions: `graph-api-versions.ts`), as Meta documents them:
 * field names stay in Meta's snake_case so that a body can be sent or read without mapping.
 */

/** A value substituted into a template placeholder. */
export type TemplateParameter =
  | {
      type: 'text';
      text: string;
      /** Named parameters (templates created with `{{name}}`). */ parameter_name?: string;
    }
  | { type: 'currency'; currency: { fallback_value: string; code: string; amount_1000: number } }
  | { type: 'date_time'; date_time: { fallback_value: string } }
  | { type: 'image'; image: { link: string } }
  | { type: 'document'; document: { link: string; filename?: string } }
  | { type: 'video'; video: { link: string } };

/** A parameter of a button component: the payload returned by a quick reply, or the URL suffix. */
export type TemplateButtonParameter = { type: 'payload'; payload: string } | { type: 'text'; text: string };

export type TemplateComponent =
  | { type: 'header'; parameters: TemplateParameter[] }
  | { type: 'body'; parameters: TemplateParameter[] }
  | {
      type: 'button';
      sub_type: 'quick_reply' | 'url' | 'copy_code';
      /** Position of the button in the template, from 0. */
      index: number | string;
      parameters: TemplateButtonParameter[];
    };

/** The `template` object of a template message. */
export interface TemplateMessage {
  name: string;
  language: { code: string; policy?: 'deterministic' };
  components?: TemplateComponent[];
}

interface SendMessageBase {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  /** Recipient phone number, digits with an optional leading `+`. Personal data: never log it. */
  to?: string;
  /**
   * The recipient's business-scoped user id (BSUID), for a person whose number is not known; `to`
   * wins when both are given, so only one is ever sent. Personal data: never log it.
   */
  recipient?: string;
  /** Opaque string (up to 512 characters) that Meta echoes in every status webhook of this message. */
  biz_opaque_callback_data?: string;
  /** Makes the message a reply to an earlier one. */
  context?: { message_id: string };
}

export interface TemplateMessageRequest extends SendMessageBase {
  type: 'template';
  template: TemplateMessage;
}

export interface TextMessageRequest extends SendMessageBase {
  type: 'text';
  text: { body: string; preview_url?: boolean };
}

export type SendMessageRequest = TemplateMessageRequest | TextMessageRequest;

/** Returned by Meta when a marketing message is held or paused by quality controls; absent otherwise. */
export type AcceptedMessageStatus = 'accepted' | 'held_for_quality_assessment' | 'paused';

/** HTTP 200 body of a send. */
export interface SendMessageResponse {
  messaging_product: 'whatsapp';
  /** `wa_id` when the number is known; `user_id` (the BSUID) since 2026. */
  contacts: Array<{ input: string; wa_id?: string; user_id?: string }>;
  messages: Array<{ id: string; message_status?: AcceptedMessageStatus }>;
}

/** The `error` object of every Graph API error response. */
export interface GraphError {
  message: string;
  type: string;
  code: number;
  /** Deprecated by Meta (absent from v16+ responses) but still seen. */
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  error_data?: { messaging_product: 'whatsapp'; details: string };
  fbtrace_id: string;
}

export interface GraphErrorResponse {
  error: GraphError;
}
