/** OpenAPI shapes of the sandbox's answers (request bodies come from the DTOs' validation). */

/** Graph's error answer, on every `/{version}/...` path. */
export const GRAPH_ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'code', 'fbtrace_id'],
      properties: {
        message: { type: 'string', example: '(#100) The parameter messaging_product is required.' },
        type: { type: 'string', example: 'OAuthException' },
        code: { type: 'integer', example: 100, description: "Meta's error code (130429 throughput, 131056 pair rate, 132001 template...)" },
        error_data: { type: 'object', properties: { messaging_product: { type: 'string' }, details: { type: 'string' } } },
        fbtrace_id: { type: 'string' },
      },
    },
  },
};

export const SEND_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['messaging_product', 'contacts', 'messages'],
  properties: {
    messaging_product: { type: 'string', enum: ['whatsapp'] },
    contacts: { type: 'array', items: { type: 'object', properties: { input: { type: 'string' }, wa_id: { type: 'string' } } } },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string', description: 'wamid' }, message_status: { type: 'string', example: 'accepted' } },
      },
    },
  },
};

export const TEMPLATE_CREATED_SCHEMA = {
  type: 'object',
  required: ['id', 'status', 'category'],
  properties: { id: { type: 'string' }, status: { type: 'string', enum: ['APPROVED'] }, category: { type: 'string' } },
};

export const REGISTERED_TEMPLATE_SCHEMA = {
  type: 'object',
  properties: {
    phoneNumberId: { type: 'string' },
    name: { type: 'string' },
    language: { type: 'string', example: 'en_US' },
    bodyParameters: { type: 'integer', description: 'Placeholders in the body: a send must give exactly as many' },
    categories: { type: 'array', items: { type: 'string' } },
  },
};

export const ACCEPTED_MESSAGE_SCHEMA = {
  type: 'object',
  properties: {
    wamid: { type: 'string' },
    phoneNumberId: { type: 'string' },
    to: { type: 'string', description: 'As the sender wrote it' },
    waId: { type: 'string' },
    type: { type: 'string', enum: ['template', 'text'] },
    templateName: { type: 'string' },
    bizOpaqueCallbackData: { type: 'string' },
    acceptedAt: { type: 'string', format: 'date-time' },
    statuses: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['sent', 'delivered', 'read', 'failed'] },
          timestamp: { type: 'string', description: 'Unix seconds' },
          errorCode: { type: 'integer' },
          webhook: { type: 'string', description: 'What became of its webhook' },
        },
      },
    },
  },
};

export const FAULT_SCHEMA = {
  type: 'object',
  required: ['id', 'code', 'mode', 'remaining'],
  properties: {
    id: { type: 'integer' },
    waId: { type: 'string' },
    phoneNumberId: { type: 'string' },
    code: { type: 'integer' },
    httpStatus: { type: 'integer' },
    mode: { type: 'string', example: 'reject' },
    remaining: { type: 'integer', description: 'Sends it will still fail' },
  },
};

export const CLEARED_SCHEMA = { type: 'object', required: ['cleared'], properties: { cleared: { type: 'integer' } } };

export const INBOUND_RECEIPT_SCHEMA = {
  type: 'object',
  required: ['id', 'serviceWindowOpenUntil'],
  properties: {
    id: { type: 'string', description: 'wamid of the inbound message' },
    serviceWindowOpenUntil: {
      type: 'string',
      format: 'date-time',
      description: 'Until when free-form messages may reach this person from this number',
    },
  },
};

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } };

export const STATS_SCHEMA = {
  type: 'object',
  properties: {
    accepted: { type: 'integer' },
    rejected: { ...COUNTS, description: 'By Graph error code (http503 and the like for bare HTTP errors)' },
    unanswered: { type: 'object', properties: { hang: { type: 'integer' }, drop: { type: 'integer' } } },
    statuses: { ...COUNTS, description: 'Statuses emitted, by status' },
    inbound: { type: 'integer' },
    webhooks: {
      type: 'object',
      properties: {
        delivered: { type: 'integer' },
        failed: { type: 'integer' },
        failedAttempts: { type: 'integer' },
        skipped: { type: 'integer' },
        pending: { type: 'integer' },
      },
    },
  },
};

export const OK_SCHEMA = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } };

export const SIMULATION_STATE_SCHEMA = {
  type: 'object',
  required: ['population', 'round'],
  properties: {
    population: { type: 'string', enum: ['simulation', 'archetypes'] },
    round: { type: 'integer', description: 'The simulated day' },
  },
};
