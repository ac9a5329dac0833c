/**
 * OpenAPI shapes of Meta's webhook as the dispatcher reads it (the parts it uses; Meta sends more).
 * The body is read raw, for the signature, so there is no DTO to derive them from.
 */
const STATUS = {
  type: 'object',
  required: ['id', 'status', 'timestamp', 'recipient_id'],
  properties: {
    id: { type: 'string', description: 'wamid of the message' },
    status: { type: 'string', enum: ['sent', 'delivered', 'read', 'failed'] },
    timestamp: { type: 'string', description: 'Unix seconds' },
    recipient_id: { type: 'string' },
    biz_opaque_callback_data: { type: 'string', description: 'The decision id the dispatcher sent' },
    errors: { type: 'array', items: { type: 'object', properties: { code: { type: 'integer' }, title: { type: 'string' } } } },
  },
};

const MESSAGE = {
  type: 'object',
  required: ['from', 'id', 'timestamp', 'type'],
  properties: {
    from: { type: 'string', description: 'Sender number, digits' },
    id: { type: 'string', description: 'wamid' },
    timestamp: { type: 'string', description: 'Unix seconds' },
    type: { type: 'string', example: 'text' },
    text: { type: 'object', properties: { body: { type: 'string' } } },
    button: { type: 'object', properties: { text: { type: 'string' }, payload: { type: 'string' } } },
    context: { type: 'object', properties: { id: { type: 'string', description: 'wamid this message answers' } } },
  },
};

const USER_PREFERENCE = {
  type: 'object',
  properties: {
    wa_id: { type: 'string' },
    category: { type: 'string', example: 'marketing_messages' },
    value: { type: 'string', enum: ['stop', 'resume'] },
    timestamp: { type: 'integer' },
  },
};

export const WEBHOOK_PAYLOAD_SCHEMA = {
  type: 'object',
  required: ['object', 'entry'],
  properties: {
    object: { type: 'string', enum: ['whatsapp_business_account'] },
    entry: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'WhatsApp Business Account id' },
          changes: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                field: { type: 'string', example: 'messages' },
                value: {
                  type: 'object',
                  properties: {
                    messaging_product: { type: 'string', enum: ['whatsapp'] },
                    metadata: {
                      type: 'object',
                      properties: { phone_number_id: { type: 'string' }, display_phone_number: { type: 'string' } },
                    },
                    statuses: { type: 'array', items: STATUS },
                    messages: { type: 'array', items: MESSAGE },
                    user_preferences: { type: 'array', items: USER_PREFERENCE },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

export const WEBHOOK_RECEIVED_SCHEMA = {
  type: 'object',
  required: ['received'],
  properties: {
    received: { type: 'integer', description: 'Statuses, inbound messages and preference changes recorded for the first time' },
  },
};
