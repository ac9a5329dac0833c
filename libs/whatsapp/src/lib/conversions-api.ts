/**
 * Meta's Conversions API for business messaging: `POST /{version}/{dataset-id}/events` with
 * `{ data: [event...] }`, each event attributed to the click-to-WhatsApp ad click (`ctwa_clid`)
 * that started the conversation.
 */

/** Event names Meta takes with `action_source: business_messaging` (its standard events for messaging). */
export const BUSINESS_MESSAGING_EVENT_NAMES = [
  'Purchase',
  'LeadSubmitted',
  'InitiateCheckout',
  'AddToCart',
  'ViewContent',
  'OrderCreated',
  'OrderShipped',
  'OrderDelivered',
  'OrderCanceled',
  'OrderReturned',
  'CartAbandoned',
  'QualifiedLead',
  'RatingProvided',
  'ReviewProvided',
] as const;
export type BusinessMessagingEventName = (typeof BUSINESS_MESSAGING_EVENT_NAMES)[number];

/** Meta refuses events whose `event_time` is more than seven days old. */
export const CONVERSION_EVENT_MAX_AGE_S = 7 * 86_400;
/** At most this many events per request. */
export const CONVERSION_EVENTS_PER_REQUEST = 1000;

export interface BusinessMessagingEvent {
  event_name: BusinessMessagingEventName;
  /** Unix seconds of the conversion. */
  event_time: number;
  /** Deduplication key: Meta keeps one event per (event_name, event_id). */
  event_id: string;
  action_source: 'business_messaging';
  messaging_channel: 'whatsapp';
  user_data: { whatsapp_business_account_id: string; ctwa_clid: string };
  /** Required for `Purchase`. */
  custom_data?: { currency: string; value: number };
}

export interface ConversionsApiAnswer {
  events_received: number;
  messages: string[];
  fbtrace_id: string;
}

export type ConversionsResult =
  | { kind: 'received'; answer: ConversionsApiAnswer }
  /** Meta refused the request: `transient` ones may be retried (5xx, throttling, no answer). */
  | { kind: 'refused'; transient: boolean; httpStatus?: number; code?: number; subcode?: number; message: string };

/** Graph error codes that say "try again later" (temporary, rate limits). */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 613]);

/** Posts conversion events; never throws (every failure is a `refused` result, transient or not). */
export async function postConversionEvents(
  options: { baseUrl: string; apiVersion: string; accessToken: string; datasetId: string; timeoutMs: number },
  events: readonly BusinessMessagingEvent[],
): Promise<ConversionsResult> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/${options.apiVersion}/${encodeURIComponent(options.datasetId)}/events`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.accessToken}` },
      body: JSON.stringify({ data: events }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    // No answer: Meta may have the events; their event_id makes a retry harmless.
    return { kind: 'refused', transient: true, message: error instanceof Error ? error.message : String(error) };
  }
  const body = (await response.json().catch(() => undefined)) as
    (ConversionsApiAnswer & { error?: { code?: number; error_subcode?: number; message?: string } }) | undefined;
  if (response.ok && body && typeof body.events_received === 'number') return { kind: 'received', answer: body };
  const code = body?.error?.code;
  return {
    kind: 'refused',
    transient: response.status >= 500 || response.status === 429 || (code !== undefined && TRANSIENT_CODES.has(code)),
    httpStatus: response.status,
    ...(code === undefined ? {} : { code }),
    ...(body?.error?.error_subcode === undefined ? {} : { subcode: body.error.error_subcode }),
    message: body?.error?.message ?? `HTTP ${response.status}`,
  };
}
