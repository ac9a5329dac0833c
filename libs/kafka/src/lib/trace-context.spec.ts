import { Topic } from '@wt/contracts';
import { encode } from './kafka-publisher';
import {
  childTraceContext,
  currentTraceContext,
  formatTraceContext,
  parseTraceContext,
  runWithTraceContext,
  traceHeaders,
} from './trace-context';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

describe('trace context', () => {
  it('keeps the trace id and flags of the parent and gives the hop a new span id', () => {
    const child = childTraceContext({ traceparent: PARENT, tracestate: 'vendor=abc' });
    const [, traceId, spanId, flags] = TRACEPARENT.exec(child.traceparent) ?? [];
    expect(traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(spanId).not.toBe('b7ad6b7169203331');
    expect(flags).toBe('01');
    expect(child.tracestate).toBe('vendor=abc');
  });

  it('gives every hop its own span id and every new trace its own id, across pool refills', () => {
    const spans = Array.from({ length: 2000 }, () => TRACEPARENT.exec(childTraceContext({ traceparent: PARENT }).traceparent)?.[2]);
    expect(new Set(spans).size).toBe(2000);
    const traces = Array.from({ length: 600 }, () => TRACEPARENT.exec(childTraceContext(undefined).traceparent)?.[1]);
    expect(new Set(traces).size).toBe(600);
  });

  it('starts a new sampled trace when there is none or it is malformed', () => {
    const cases: (Record<string, string> | undefined)[] = [
      undefined,
      {},
      { traceparent: 'garbage' },
      { traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` },
    ];
    for (const headers of cases) {
      const child = childTraceContext(headers);
      expect(child.traceparent).toMatch(TRACEPARENT);
      expect(parseTraceContext(child)?.traceId).not.toBe('0'.repeat(32));
    }
    expect(parseTraceContext(childTraceContext(undefined))?.traceId).not.toBe(parseTraceContext(childTraceContext(undefined))?.traceId);
  });

  it('writes what the OpenTelemetry propagator writes for the same parent and span id', () => {
    const parents = [
      PARENT,
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0a',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-ab',
      ' 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 ',
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
      `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`,
      '',
    ];
    for (const traceparent of parents) {
      for (const headers of [{ traceparent }, { traceparent, tracestate: 'vendor=abc' }] as Record<string, string>[]) {
        const child = childTraceContext(headers);
        const spanId = child.traceparent?.split('-')[2] as string;
        const parent = parseTraceContext(headers);
        if (parent) expect(child).toEqual(formatTraceContext({ ...parent, spanId, isRemote: false }));
        else expect(child).toEqual({ traceparent: expect.stringMatching(new RegExp(`^00-[0-9a-f]{32}-${spanId}-01$`)) });
      }
    }
  });

  it('parses only valid traceparents', () => {
    expect(parseTraceContext({ traceparent: PARENT })).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
    });
    expect(parseTraceContext({ traceparent: '00-xyz-b7ad6b7169203331-01' })).toBeUndefined();
  });

  it('copies only trace headers from an input record', () => {
    expect(traceHeaders({ traceparent: PARENT, tracestate: 'a=b', 'wt-schema': 'x' })).toEqual({
      traceparent: PARENT,
      tracestate: 'a=b',
    });
    expect(traceHeaders(undefined)).toEqual({});
  });

  it('the publisher puts a traceparent on every record, continuing the one it was given', () => {
    const given = encode(Topic.SocialEngagementV1, {
      key: 'k',
      value: {},
      headers: { traceparent: PARENT },
    });
    const fresh = encode(Topic.SocialEngagementV1, { key: 'k', value: {} });
    const headers = (m: typeof given) => m.headers as Record<string, string>;
    expect(parseTraceContext(headers(given))?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(parseTraceContext(headers(given))?.spanId).not.toBe('b7ad6b7169203331');
    expect(headers(fresh).traceparent).toMatch(TRACEPARENT);
    expect(headers(fresh)['wt-schema']).toBe(Topic.SocialEngagementV1);
  });

  it('a record without trace headers continues the ambient trace (an HTTP request being served); its own headers win', async () => {
    const other = '00-11111111111111111111111111111111-2222222222222222-01';
    const [inside, own] = await runWithTraceContext({ traceparent: PARENT, 'x-other': 'dropped' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(currentTraceContext()).toEqual({ traceparent: PARENT });
      return [
        encode(Topic.SocialEngagementV1, { key: 'k', value: {} }),
        encode(Topic.SocialEngagementV1, { key: 'k', value: {}, headers: { traceparent: other } }),
      ];
    });
    const outside = encode(Topic.SocialEngagementV1, { key: 'k', value: {} });
    const span = (m: typeof inside) => parseTraceContext(m.headers as Record<string, string>);
    expect(span(inside)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span(inside)?.spanId).not.toBe('b7ad6b7169203331');
    expect(span(own)?.traceId).toBe('11111111111111111111111111111111');
    expect(span(outside)?.traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    expect(currentTraceContext()).toBeUndefined();
  });
});
