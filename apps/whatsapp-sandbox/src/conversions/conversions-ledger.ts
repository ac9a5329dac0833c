import { Injectable } from '@nestjs/common';
import { BUSINESS_MESSAGING_EVENT_NAMES, CONVERSION_EVENT_MAX_AGE_S, CONVERSION_EVENTS_PER_REQUEST } from '@wt/whatsapp';
import { GraphApiError } from '../graph/graph-api.error';

/** How far in the future an `event_time` may be (clock skew) before it is refused. */
const FUTURE_TOLERANCE_S = 300;

/** One conversion event the sandbox took, as it came. */
export interface ReceivedConversion {
  datasetId: string;
  eventName: string;
  eventId: string;
  eventTime: number;
  ctwaClid: string;
  wabaId: string;
  value?: number;
  currency?: string;
  /** Whether the ctwa_clid is one the sandbox issued (an inbound message from an ad). */
  knownClick: boolean;
  receivedAt: string;
}

/** An injected refusal of the next `times` requests to the Conversions API. */
export interface ConversionFault {
  httpStatus: number;
  code: number;
  times: number;
}

const MAX_KEPT = 100_000;

/**
 * Meta's Conversions API for business messaging, as far as the platform uses it: each request's
 * events are checked (schema, event name, `action_source` business_messaging, `messaging_channel`
 * whatsapp, a WABA and a `ctwa_clid`, value and currency for a Purchase, `event_time` neither more
 * than seven days old nor in the future), the whole request refused with Graph error 100 naming
 * the first bad field, as Meta does; accepted events are deduplicated by (dataset, event_name,
 * event_id): a repeat is counted and dropped.
 */
@Injectable()
export class ConversionsLedger {
  private readonly events = new Map<string, ReceivedConversion>();
  private readonly issued = new Map<string, number>();
  private faults: ConversionFault[] = [];
  private duplicateCount = 0;
  private refusedCount = 0;

  /** A click id the sandbox put in an inbound message's `referral`. */
  issue(ctwaClid: string, at: number): void {
    this.issued.set(ctwaClid, at);
    if (this.issued.size > MAX_KEPT) this.issued.delete(this.issued.keys().next().value as string);
  }

  addFault(fault: ConversionFault): ConversionFault {
    this.faults.push(fault);
    return fault;
  }

  /** Takes a request's body; throws Meta's error for a bad one. */
  receive(datasetId: string, body: unknown, now = Date.now()): { events_received: number; messages: string[] } {
    const fault = this.faults[0];
    if (fault) {
      if (--fault.times <= 0) this.faults.shift();
      this.refusedCount += 1;
      throw GraphApiError.injected(fault.code, fault.httpStatus);
    }
    const data = (body as { data?: unknown } | undefined)?.data;
    const refuse = (field: string, problem: string) => {
      this.refusedCount += 1;
      return GraphApiError.invalidParameter(field, problem);
    };
    if (!Array.isArray(data) || data.length === 0) throw refuse('data', 'must be a non-empty array');
    if (data.length > CONVERSION_EVENTS_PER_REQUEST) throw refuse('data', `holds at most ${CONVERSION_EVENTS_PER_REQUEST} events`);
    const nowS = Math.floor(now / 1000);
    const checked: ReceivedConversion[] = data.map((raw: unknown, i) => {
      const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const at = (name: string) => `data[${i}].${name}`;
      const user = (typeof e['user_data'] === 'object' && e['user_data'] !== null ? e['user_data'] : {}) as Record<string, unknown>;
      const custom = (typeof e['custom_data'] === 'object' && e['custom_data'] !== null ? e['custom_data'] : {}) as Record<string, unknown>;
      if (!(BUSINESS_MESSAGING_EVENT_NAMES as readonly unknown[]).includes(e['event_name']))
        throw refuse(at('event_name'), 'is not an event Meta takes for business messaging');
      const time = e['event_time'];
      if (typeof time !== 'number' || !Number.isInteger(time)) throw refuse(at('event_time'), 'must be Unix seconds (an integer)');
      if (time < nowS - CONVERSION_EVENT_MAX_AGE_S) throw refuse(at('event_time'), 'is more than seven days in the past');
      if (time > nowS + FUTURE_TOLERANCE_S) throw refuse(at('event_time'), 'is in the future');
      if (typeof e['event_id'] !== 'string' || e['event_id'].length === 0 || e['event_id'].length > 256)
        throw refuse(at('event_id'), 'must be a string (the deduplication key)');
      if (e['action_source'] !== 'business_messaging') throw refuse(at('action_source'), 'must be business_messaging');
      if (e['messaging_channel'] !== 'whatsapp') throw refuse(at('messaging_channel'), 'must be whatsapp');
      if (typeof user['whatsapp_business_account_id'] !== 'string' || !/^\d{1,32}$/.test(user['whatsapp_business_account_id']))
        throw refuse(at('user_data.whatsapp_business_account_id'), 'is required');
      if (typeof user['ctwa_clid'] !== 'string' || user['ctwa_clid'].length === 0) throw refuse(at('user_data.ctwa_clid'), 'is required');
      const value = custom['value'];
      const currency = custom['currency'];
      if (e['event_name'] === 'Purchase') {
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
          throw refuse(at('custom_data.value'), 'is required for a Purchase');
        if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency))
          throw refuse(at('custom_data.currency'), 'is required for a Purchase');
      }
      return {
        datasetId,
        eventName: e['event_name'] as string,
        eventId: e['event_id'],
        eventTime: time,
        ctwaClid: user['ctwa_clid'],
        wabaId: user['whatsapp_business_account_id'],
        ...(typeof value === 'number' ? { value } : {}),
        ...(typeof currency === 'string' ? { currency: currency.toUpperCase() } : {}),
        knownClick: this.issued.has(user['ctwa_clid']),
        receivedAt: new Date(now).toISOString(),
      };
    });
    for (const event of checked) {
      const key = `${datasetId}:${event.eventName}:${event.eventId}`;
      if (this.events.has(key)) this.duplicateCount += 1;
      else this.events.set(key, event);
    }
    if (this.events.size > MAX_KEPT) this.events.delete(this.events.keys().next().value as string);
    return { events_received: data.length, messages: [] };
  }

  list(datasetId?: string): ReceivedConversion[] {
    return [...this.events.values()].filter((e) => datasetId === undefined || e.datasetId === datasetId);
  }

  stats(): { events: number; duplicates: number; refusedRequests: number } {
    return { events: this.events.size, duplicates: this.duplicateCount, refusedRequests: this.refusedCount };
  }

  clear(): void {
    this.events.clear();
    this.issued.clear();
    this.faults = [];
    this.duplicateCount = 0;
    this.refusedCount = 0;
  }
}
