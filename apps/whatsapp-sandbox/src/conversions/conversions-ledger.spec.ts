import { GraphApiError } from '../graph/graph-api.error';
import { ConversionsLedger } from './conversions-ledger';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const nowS = NOW / 1000;

const event = (overrides: Record<string, unknown> = {}) => ({
  event_name: 'Purchase',
  event_time: nowS - 3600,
  event_id: 'wt_1',
  action_source: 'business_messaging',
  messaging_channel: 'whatsapp',
  user_data: { whatsapp_business_account_id: '100000000000001', ctwa_clid: 'AffClick' },
  custom_data: { currency: 'EUR', value: 42.5 },
  ...overrides,
});

/** The Graph error a request gets, or undefined when it is taken. */
function refusal(ledger: ConversionsLedger, body: unknown): { status: number; code: number; message: string } | undefined {
  try {
    ledger.receive('77', body, NOW);
    return undefined;
  } catch (error) {
    if (!(error instanceof GraphApiError)) throw error;
    return { status: error.httpStatus, code: error.code, message: error.message };
  }
}

describe("the sandbox's Conversions API for business messaging", () => {
  it('takes a valid Purchase, and keeps one event per event_id (a repeat is counted, not kept)', () => {
    const ledger = new ConversionsLedger();
    ledger.issue('AffClick', NOW - 86_400_000);
    expect(ledger.receive('77', { data: [event()] }, NOW)).toEqual({ events_received: 1, messages: [] });
    expect(ledger.receive('77', { data: [event(), event({ event_id: 'wt_2' })] }, NOW)).toEqual({ events_received: 2, messages: [] });
    expect(ledger.list('77').map((e) => [e.eventId, e.knownClick, e.value, e.currency])).toEqual([
      ['wt_1', true, 42.5, 'EUR'],
      ['wt_2', true, 42.5, 'EUR'],
    ]);
    expect(ledger.stats()).toEqual({ events: 2, duplicates: 1, refusedRequests: 0 });
  });

  it.each([
    [{ event_name: 'Lead' }, 'data[0].event_name'],
    [{ event_time: nowS - 8 * 86_400 }, 'data[0].event_time is more than seven days in the past'],
    [{ event_time: nowS + 3600 }, 'data[0].event_time is in the future'],
    [{ event_time: '1700000000' }, 'data[0].event_time must be Unix seconds'],
    [{ event_id: undefined }, 'data[0].event_id'],
    [{ action_source: 'website' }, 'data[0].action_source must be business_messaging'],
    [{ messaging_channel: 'messenger' }, 'data[0].messaging_channel must be whatsapp'],
    [{ user_data: { whatsapp_business_account_id: '1' } }, 'data[0].user_data.ctwa_clid is required'],
    [{ custom_data: { currency: 'EUR' } }, 'data[0].custom_data.value is required for a Purchase'],
  ])('refuses the whole request with Graph error 100 naming the field: %j', (overrides, message) => {
    const ledger = new ConversionsLedger();
    const refused = refusal(ledger, { data: [event(overrides)] });
    expect(refused).toMatchObject({ status: 400, code: 100 });
    expect(refused?.message).toContain(message);
    expect(ledger.list()).toEqual([]);
    expect(ledger.stats().refusedRequests).toBe(1);
  });

  it('refuses an empty or oversized batch', () => {
    const ledger = new ConversionsLedger();
    expect(refusal(ledger, {})?.message).toContain('data');
    expect(refusal(ledger, { data: Array.from({ length: 1001 }, (_, i) => event({ event_id: `e${i}` })) })?.message).toContain(
      'at most 1000',
    );
  });

  it('answers injected faults for as many requests as asked, then takes the events', () => {
    const ledger = new ConversionsLedger();
    ledger.addFault({ httpStatus: 503, code: 2, times: 2 });
    expect(refusal(ledger, { data: [event()] })).toMatchObject({ status: 503, code: 2 });
    expect(refusal(ledger, { data: [event()] })).toMatchObject({ status: 503, code: 2 });
    expect(refusal(ledger, { data: [event()] })).toBeUndefined();
    expect(ledger.stats()).toEqual({ events: 1, duplicates: 0, refusedRequests: 2 });
  });
});
