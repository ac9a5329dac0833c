import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Topic } from '@wt/contracts';
import { encode } from './kafka-publisher';
import { enableRecordSpans, endSpans, inBatchSpan, startProcessSpan } from './record-spans';
import { type Span } from '@opentelemetry/api';

describe('record spans (tracing on)', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    enableRecordSpans();
  });
  afterAll(async () => {
    enableRecordSpans(false);
    trace.disable();
    context.disable();
    await provider.shutdown();
  });
  beforeEach(() => exporter.reset());

  const upstream = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('a record published from an input record is a send span in its trace, and carries that span', () => {
    const spans: Span[] = [];
    const message = encode(Topic.TargetingDecisionsV1, { key: 'k', value: { a: 1 }, headers: { traceparent: upstream } }, spans);
    endSpans(spans);
    const [sent] = exporter.getFinishedSpans();
    expect(sent?.name).toBe(`send ${Topic.TargetingDecisionsV1}`);
    expect(sent?.kind).toBe(SpanKind.PRODUCER);
    expect(sent?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(sent?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(message.headers?.['traceparent']).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${sent?.spanContext().spanId}-01`);
  });

  it("a consumed record's process span is the child of its send span, and the handler sees it as the record's trace", () => {
    const headers = { traceparent: upstream, 'wt-schema': 'x' };
    const span = startProcessSpan(Topic.ProfileSnapshotsV1, 3, '42', headers);
    endSpans(span ? [span] : []);
    const [processed] = exporter.getFinishedSpans();
    expect(processed).toMatchObject({ name: `process ${Topic.ProfileSnapshotsV1}`, kind: SpanKind.CONSUMER });
    expect(processed?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(processed?.attributes).toMatchObject({ 'messaging.destination.partition.id': '3', 'messaging.kafka.offset': 42 });
    expect(headers.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${processed?.spanContext().spanId}-01`);
    expect(headers['wt-schema']).toBe('x');
  });

  it('a record without trace context is not given a process span; one published without headers joins the batch span', async () => {
    expect(startProcessSpan(Topic.ProfileSnapshotsV1, 0, '1', {})).toBeUndefined();
    const spans: Span[] = [];
    await inBatchSpan(Topic.ProfileSnapshotsV1, 1, [], async () => {
      encode(Topic.DeadLetterV1, { key: null, value: {} }, spans);
    });
    endSpans(spans);
    const batch = exporter.getFinishedSpans().find((s) => s.name === `handle ${Topic.ProfileSnapshotsV1}`);
    const sent = exporter.getFinishedSpans().find((s) => s.name === `send ${Topic.DeadLetterV1}`);
    expect(sent?.parentSpanContext?.spanId).toBe(batch?.spanContext().spanId);
    expect(context.active()).toBe(ROOT_CONTEXT);
  });
});
