import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { describeViolations, MAX_RECORD_BYTES, Topic, TOPICS_WITH_TOMBSTONES, validatePayload, type TopicPayload } from '@wt/contracts';
import { type Consumer, type EachBatchPayload, type Kafka, KafkaJSError, type KafkaMessage, type Offsets } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { deadLettersFor, headersToStrings } from './dead-letter';
import { type DeadLetterSealer } from './dead-letter-sealing';
import { forEachConcurrently, gatherBatches } from './fetch-gathering';
import {
  CONSUMER_MAX_WAIT_MS,
  CONSUMER_METADATA_MAX_AGE_MS,
  CONSUMER_RETRY,
  HEARTBEAT_INTERVAL_MS,
  MAX_HANDLER_HEARTBEAT_MS,
  SESSION_TIMEOUT_MS,
} from './client-settings';
import { createKafka, type KafkaConnectionOptions } from './kafka-connection';
import { type Span } from '@opentelemetry/api';
import { ConsumerLagReport, liveLagReports } from './consumer-lag';
import { endSpans, inBatchSpan, startProcessSpan } from './record-spans';
import { kafkaMetrics } from './kafka-metrics';
import { KafkaPublisher } from './kafka-publisher';
import { classifyFailure, describeFailure, type FailureKind } from './processing-failure';
import { RecordBatch, StaleBatch, type ConsumedRecord, type Rejection, type Tombstone } from './record-batch';

export interface KafkaBatchServerOptions {
  connection: KafkaConnectionOptions;
  /** Consumer group id. */
  groupId: string;
  /** Name of the service, written into dead letters. */
  service: string;
  /** Publisher for dead letters; shared with the app's own publishing when given. */
  publisher?: KafkaPublisher;
  /**
   * Seals the originals dead letters keep (under the person's key, see DeadLetterSealer). Without
   * one (a service with no key vault) a dead letter withholds the original: never in clear.
   */
  deadLetterSealer?: DeadLetterSealer;
  /**
   * How long the group waits for a silent member before handing its partitions to others
   * (default 10 s): after a crash, the time before the partitions flow again.
   */
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /**
   * Handler calls of one topic in progress at once (default 1). A fetch of small batches is one
   * call whatever this says; a busy fetch is several calls of at most `maxRecordsPerCall` records,
   * and with more than one at once, one call's database or broker wait overlaps another's work.
   */
  callsConcurrently?: number;
  /** Most records gathered into one handler call (default 5,000); a larger partition batch goes alone. */
  maxRecordsPerCall?: number;
  /** Where a new group starts: the beginning (default) or only new records. */
  fromBeginning?: boolean;
  /** How long a partition's lag stays reported without a batch refreshing it (default 60 s). */
  lagStaleAfterMs?: number;
  /**
   * How long a handler call is kept in its group by heartbeats sent while it works (default
   * 5 min, MAX_HANDLER_HEARTBEAT_MS); a call that takes longer lets its member be evicted.
   */
  maxHandlerHeartbeatMs?: number;
}

const TOPICS = new Set<string>(Object.values(Topic));

/**
 * Batches of one fetch handed to `eachBatch` at once. kafkajs fetches again only when every batch
 * of a fetch is done, and it starts up to this many of them together; the server then gathers
 * those of one topic into handler calls (see gatherBatches). Above any partition count a replica
 * is assigned, so that a fetch's batches of a topic are gathered together.
 */
const FETCH_WIDTH = 256;
/**
 * Records decoded (parsed and validated) in one go before the decoder yields to the event loop
 * (about 10 ms of work on a busy 2-core machine). A large fetch decoded at once held the
 * dispatcher's event loop for 230 and 330 ms at the start of bench:dispatch's 1,000/s run (its CPU
 * profile, 2026-12-08), its sends and their answers waiting meanwhile.
 */
export const DECODE_SLICE = 256;

/**
 * Longest pause between two attempts to rejoin the group after a crash kafkajs does not restart
 * from (a broker away for longer than its retries): one attempt costs a connection and a join, and
 * the pause bounds the time from the broker's return to the stage working again (a 30 s cap left
 * the pipeline idle up to 38 s after an 18 s broker outage in the fault run).
 */
const MAX_REJOIN_DELAY_MS = 8_000;

/**
 * How often a handler call at work asks kafkajs for a heartbeat (kafkajs sends one only once
 * HEARTBEAT_INTERVAL_MS passed since the last answer, so asking that often would send one every
 * other time: every 6 s, too close to a 6 s session).
 */
const HEARTBEAT_TICK_MS = 1_000;

/** Longest pause between two attempts of a batch that failed for a transient cause (outage). */
const MAX_RETRY_DELAY_MS = 10_000;

/**
 * Attempts of a single record that keeps failing with an exception of no known kind (not a data
 * error, not an outage) before it is dead-lettered as `processing_failed`.
 */
const UNKNOWN_FAILURE_ATTEMPTS = 3;

/** A record or a tombstone, in partition order: the unit a failing batch is split into. */
type Item = { record: ConsumedRecord<TopicPayload<Topic>> } | { tombstone: Tombstone; partition: number };

/** One handler call's context while its batch is applied, split and retried. */
interface CallContext {
  readonly topic: Topic;
  readonly parts: readonly FetchedPart[];
  /** Records set aside so far: the decoder's, the handler's own rejections, poison records. */
  readonly rejections: Rejection[];
}

/** One partition's part of a fetch, decoded, waiting for the fetch's other parts of its topic. */
interface FetchedPart {
  readonly partition: number;
  readonly records: ConsumedRecord<TopicPayload<Topic>>[];
  readonly tombstones: Tombstone[];
  readonly rejections: Rejection[];
  /** Records the handler's raw filter passed over (counted while the part is decoded). */
  skipped: number;
  readonly lastOffset: string;
  readonly highWatermark: string;
  readonly resolveOffset: (offset: string) => void;
  /** A heartbeat through `coordinated`: a refusal makes kafkajs rejoin the group. */
  readonly heartbeat: () => Promise<void>;
  /** Commits `offsets` in one request, without kafkajs's retries, through `coordinated`. */
  readonly commit: (offsets: Offsets) => Promise<void>;
  /** False once the consumer stops or the partition was revoked: a retry loop must give up. */
  readonly stillOwned: () => boolean;
  /** The records' `process` spans (tracing on), ended once the call is over. */
  readonly spans: Span[];
}

/** A cheap test of a record's raw value: false means the handler has no use for it. */
export type RawRecordFilter = (value: Buffer) => boolean;

interface BatchHandlerExtras {
  onlyRecords?: RawRecordFilter;
}

/**
 * Extras for `@EventPattern(topic, onlyRecords(filter))`: a record whose raw value the filter
 * refuses is neither parsed, validated, dead-lettered nor handed to the handler; its offset is
 * committed with the batch's. For a handler that reads a small part of a large topic (scoring
 * wants only the purchases among the engagement events). The filter must be certain: it may let
 * through records the handler then ignores, never refuse one the handler would use. Tombstones
 * always pass.
 */
export function onlyRecords(filter: RawRecordFilter): Record<string, unknown> {
  return { onlyRecords: filter } satisfies BatchHandlerExtras;
}

/**
 * Answers of the group coordinator after which kafkajs's consumer loop rejoins the group as the same
 * member (its `isRebalancing`): it finds the coordinator afresh, joins with its member id, and the
 * group goes on without waiting out a session.
 */
const REJOIN = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION']);

/**
 * The coordinator went away or is not ready (its broker died, or handed the group to another):
 * answered as NOT_COORDINATOR_FOR_GROUP, so that kafkajs rejoins (REJOIN).
 */
const COORDINATOR_GONE = new Set(['GROUP_COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);
/**
 * The coordinator cannot be reached. KafkaJSBrokerNotFound: kafkajs's offset manager looks the
 * coordinator it joined with up again by node id, and a node that died is no longer in the metadata:
 * every commit then failed until the consumer's retries ran out and it crashed (seen: ingest stalled
 * 24 s after the coordinator's node was killed, "Broker 2 not found in the cached metadata").
 */
const UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
]);

/** The coordinator is unreachable or not the coordinator any more: kafkajs rejoins on this `type`. */
export class CoordinatorGone extends KafkaJSError {
  readonly type = 'NOT_COORDINATOR_FOR_GROUP';
  override readonly name = 'CoordinatorGone';

  constructor(cause: unknown) {
    super(`the group coordinator moved or is unreachable (${String(cause)}): rejoining as the same member`, { retriable: true });
  }
}

/** What `coordinated` makes of a heartbeat's or a commit's failure: kafkajs's REJOIN type, or the error as it was. */
export function coordinatorFailure(error: unknown): unknown {
  for (
    let e = error as { type?: string; name?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.type === 'string' && REJOIN.has(e.type)) return depth === 0 ? error : new CoordinatorGone(error);
    if ((typeof e.type === 'string' && COORDINATOR_GONE.has(e.type)) || (e.name !== undefined && UNREACHABLE.has(e.name))) {
      return new CoordinatorGone(error);
    }
  }
  return error;
}

/**
 * A commit or heartbeat to the group coordinator. kafkajs keeps talking to the coordinator it found
 * when it joined, whatever the answer: after the coordinator's broker dies, or hands the group to
 * another broker, every commit fails until retries run out, and then the consumer crashes and comes
 * back as a new member, which waits for the old one's session to expire (seen: 40 s and more). So
 * a refusal (or an unreachable coordinator) is thrown out of the batch as an error kafkajs's consumer
 * loop rejoins on (coordinatorFailure): the member finds the coordinator afresh and rejoins under
 * its own id at once (kafkajs logs "The group is rebalancing, re-joining" with our error's
 * message). Nothing is lost: the batch's offsets were not committed, so it comes again,
 * and effects are idempotent. (Commits go straight to the coordinator, not through
 * `consumer.commitOffsets`, whose retries would wrap the refusal and crash the consumer.)
 */
async function coordinated(request: () => Promise<void>): Promise<void> {
  try {
    await request();
  } catch (error) {
    throw coordinatorFailure(error);
  }
}

/**
 * A NestJS transport over kafkajs that hands whole batches to `@EventPattern(topic)` handlers.
 *
 * Why not Nest's built-in Kafka transport: it calls a handler per message and commits on its own
 * schedule; the stages here need batches (one database round trip per batch) and must commit
 * only after their effects are durable. For each fetch, and each topic in it:
 *   1. every record is parsed and validated against its topic's contract; invalid ones are set aside;
 *   2. the handler gets the valid records of every partition the fetch brought (and may reject
 *      more, e.g. an invalid phone): one call, so one round trip per effect whatever the number
 *      of partitions, and a record waits for one batch's work, not for one per partition;
 *   3. the set-aside records go to the dead-letter topic, acknowledged;
 *   4. only then are the partitions' offsets committed, in one request. If anything throws,
 *      nothing is committed and the whole fetch comes again, so effects must be idempotent (they
 *      are keyed by event id).
 * When the handler fails (see applyItems): an outage is retried with backoff, without limit and
 * without committing; any other failure splits the batch in halves, down to the record that fails
 * on its own, which is dead-lettered (`processing_failed`) while the others' effects are applied.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private readonly kafka: Kafka;
  private readonly ownsPublisher: boolean;
  private readonly publisher: KafkaPublisher;
  private consumer?: Consumer;
  private joined = false;
  private closing = false;
  /** Rejoins since the last successful join (the pause before the next one grows with it). */
  private restarts = 0;
  /** Per topic, the parts of the current fetch gathered so far, and when they will be handled. */
  private readonly gathering = new Map<Topic, { parts: FetchedPart[]; fetched: KafkaMessage[][]; done: Promise<void> }>();
  protected override readonly logger = new Logger(KafkaBatchServer.name);
  /** `wt_consumer_lag` of the partitions this consumer owns (see ConsumerLagReport). */
  readonly lag: ConsumerLagReport;

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
    this.lag = new ConsumerLagReport(kafkaMetrics.lag, options.lagStaleAfterMs);
    this.kafka = createKafka(options.connection);
    this.ownsPublisher = !options.publisher;
    this.publisher = options.publisher ?? new KafkaPublisher(this.kafka);
  }

  /** True once the consumer has joined its group and has not crashed since: the readiness signal. */
  isReady(): boolean {
    return this.joined;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async start(): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    const unknown = topics.filter((topic) => !TOPICS.has(topic));
    if (unknown.length > 0) throw new Error(`@EventPattern must name a Topic of @wt/contracts; unknown: ${unknown.join(', ')}`);
    if (topics.length === 0) return;
    await this.publisher.connect();
    await this.runConsumer(topics);
  }

  /** Creates, subscribes and runs a consumer of the group (again, after a crash kafkajs gives up on). */
  private async runConsumer(topics: string[]): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: CONSUMER_MAX_WAIT_MS,
      metadataMaxAge: CONSUMER_METADATA_MAX_AGE_MS,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 1_048_576,
      allowAutoTopicCreation: false,
      // About 11 s of retries at most 500 ms apart (see client-settings.ts), then kafkajs restarts
      // the consumer (or we rejoin). A coordinator that moved does not wait for them (coordinated).
      retry: { ...CONSUMER_RETRY },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.joined = true;
      this.restarts = 0;
      // A rebalance: the partitions that went to another member stop being reported here.
      this.lag.assigned(event.payload.memberAssignment ?? {});
      liveLagReports.add(this.lag);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.joined = false;
      this.lag.clear();
      this.logger.error(`consumer crashed (restart: ${String(event.payload.restart)}): ${String(event.payload.error)}`);
      // kafkajs restarts only after errors it deems retriable. Others, such as a commit refused
      // because the group evicted this member (a batch outlived the session on a starved CPU),
      // would leave the process alive and consuming nothing. Rejoining is always right here:
      // offsets move only after effects, so the uncommitted batch comes again, and effects are
      // idempotent.
      if (!event.payload.restart && this.consumer === consumer && !this.closing) this.rejoinLater(topics, consumer);
    });
    consumer.on(consumer.events.STOP, () => {
      this.joined = false;
      this.lag.clear();
    });

    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: FETCH_WIDTH,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  /**
   * Runs a new consumer after a growing pause of at most MAX_REJOIN_DELAY_MS (while the broker is
   * down every attempt fails, and the pause after the last one is how long the stage stays idle
   * once it is back), and again if it cannot even connect: an outage longer than kafkajs's
   * connect retries must not leave the process alive and consuming nothing.
   */
  private rejoinLater(topics: string[], failed: Consumer): void {
    const delayMs = Math.min(MAX_REJOIN_DELAY_MS, 1_000 * 2 ** this.restarts);
    this.restarts += 1;
    kafkaMetrics.consumerRestarts.inc();
    this.logger.warn(`rejoining the group in ${delayMs} ms`);
    const timer = setTimeout(() => {
      if (this.consumer !== failed || this.closing) return;
      this.runConsumer(topics).catch((error: unknown) => {
        this.logger.error(`could not rejoin the group: ${String(error)}`);
        const current = this.consumer;
        if (current && !this.closing) {
          current.disconnect().catch(() => undefined);
          this.rejoinLater(topics, current);
        }
      });
    }, delayMs);
    timer.unref();
  }

  /**
   * kafkajs calls this once per partition of a fetch, all in the same turn of the event loop; each
   * call joins its topic's gathering, decoded (in slices, see DECODE_SLICE) and handled once that
   * turn is over.
   */
  private processBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return Promise.resolve();
    const topic = batch.topic as Topic;
    const part: FetchedPart = {
      partition: batch.partition,
      records: [],
      tombstones: [],
      rejections: [],
      skipped: 0,
      lastOffset: batch.lastOffset(),
      highWatermark: batch.highWatermark,
      resolveOffset,
      heartbeat: () => coordinated(heartbeat),
      commit: (offsets) => coordinated(() => commitOffsetsIfNecessary(offsets)),
      stillOwned: () => isRunning() && !isStale() && !this.closing,
      spans: [],
    };

    let gathering = this.gathering.get(topic);
    if (!gathering) {
      const parts: FetchedPart[] = [];
      const fetched: KafkaMessage[][] = [];
      const done = new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          this.gathering.delete(topic);
          this.decodeParts(topic, parts, fetched)
            .then(() => this.handleParts(topic, parts))
            .then(resolve, reject);
        }),
      );
      gathering = { parts, fetched, done };
      this.gathering.set(topic, gathering);
    }
    gathering.parts.push(part);
    gathering.fetched.push(batch.messages);
    return gathering.done;
  }

  /**
   * Decodes each part's messages (`fetched[i]` for `parts[i]`), yielding to the event loop after
   * every DECODE_SLICE records: timers and sockets run in between (a service that sends on its own
   * schedule, the dispatcher, kept its sends and their answers waiting while a fetch of thousands
   * of records was parsed and validated in one go).
   */
  private async decodeParts(topic: Topic, parts: readonly FetchedPart[], fetched: readonly KafkaMessage[][]): Promise<void> {
    const filter = (this.getHandlerByPattern(topic)?.extras as BatchHandlerExtras | undefined)?.onlyRecords;
    let sinceYield = 0;
    for (const [i, part] of parts.entries()) {
      for (const message of fetched[i] ?? []) {
        if (sinceYield >= DECODE_SLICE) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        sinceYield += 1;
        if (filter && message.value !== null && !filter(message.value)) part.skipped += 1;
        else this.decode(topic, part.partition, message, part.records, part.tombstones, part.rejections);
      }
      for (const record of part.records) {
        const span = startProcessSpan(topic, part.partition, record.offset, record.headers);
        if (span) part.spans.push(span);
      }
    }
  }

  /** A topic's parts of a fetch, gathered into bounded handler calls (see gatherBatches). */
  private async handleParts(topic: Topic, parts: FetchedPart[]): Promise<void> {
    const sizes = parts.map((part) => part.records.length + part.tombstones.length + part.rejections.length + part.skipped);
    const calls = gatherBatches(sizes, this.options.maxRecordsPerCall ?? 5_000).map((indexes) =>
      indexes.map((index) => parts[index] as FetchedPart),
    );
    await forEachConcurrently(calls, this.options.callsConcurrently ?? 1, (call) => this.handleCall(topic, call));
  }

  /** One handler call for some of a topic's parts of a fetch (in its span when tracing is on). */
  private async handleCall(topic: Topic, parts: FetchedPart[]): Promise<void> {
    const spans = parts.flatMap((part) => part.spans);
    const records = parts.reduce((n, part) => n + part.records.length, 0);
    try {
      await inBatchSpan(topic, records, spans, () => this.handleCallWork(topic, parts));
    } catch (error) {
      endSpans(spans, error);
      throw error;
    }
    endSpans(spans);
  }

  /** One handler call for some of a topic's parts of a fetch, then dead letters, then one commit. */
  private async handleCallWork(topic: Topic, parts: FetchedPart[]): Promise<void> {
    const stopTimer = kafkaMetrics.batchSeconds.startTimer({ topic });
    const first = parts[0] as FetchedPart;
    const context: CallContext = { topic, parts, rejections: parts.flatMap((part) => part.rejections) };
    const items = parts.flatMap(itemsOf);
    const decodedRejections = context.rejections.length;
    // The group's generation, checked right before the effects: a replica that froze past its
    // session finds its partitions given to another (the heartbeat is refused) and applies nothing.
    // (kafkajs sends it only once its heartbeat interval has passed, so it costs nothing per batch.)
    // Its commit carries the generation too, and the broker refuses a stale one.
    await first.heartbeat();
    if (items.length > 0) await this.applyItems(context, items);
    const rejections = context.rejections;

    if (rejections.length > 0) {
      await this.publisher.publish(
        Topic.DeadLetterV1,
        await deadLettersFor(this.options.service, topic, rejections, this.options.deadLetterSealer),
      );
      for (const rejection of rejections) kafkaMetrics.deadLetters.inc({ topic, reason: rejection.reason });
    }

    // Effects and dead letters are durable: now, and only now, move the group's offsets.
    for (const part of parts) part.resolveOffset(part.lastOffset);
    await first.commit({
      topics: [
        { topic, partitions: parts.map((part) => ({ partition: part.partition, offset: (BigInt(part.lastOffset) + 1n).toString() })) },
      ],
    });
    await first.heartbeat();

    const records = parts.reduce((n, part) => n + part.records.length, 0);
    const skipped = parts.reduce((n, part) => n + part.skipped, 0);
    kafkaMetrics.consumed.inc({ topic, result: 'accepted' }, records - (rejections.length - decodedRejections));
    kafkaMetrics.consumed.inc({ topic, result: 'dead_lettered' }, rejections.length);
    if (skipped > 0) {
      kafkaMetrics.consumed.inc({ topic, result: 'skipped' }, skipped);
      kafkaMetrics.skipped.inc({ topic, reason: 'filtered' }, skipped);
    }
    for (const part of parts) if (part.stillOwned()) this.lag.reportBatch(topic, part.partition, part.highWatermark, part.lastOffset);
    stopTimer();
  }

  /**
   * Hands `items` to the handler until their effects are durable, whatever fails on the way:
   * - an outage (`transient`, see classifyFailure): the same items again after a growing pause,
   *   without limit (the partition waits; nothing is dead-lettered, nothing committed);
   * - anything else, with several items: each half on its own, in order, so that the records
   *   beside a poison one get their effects (each half is one handler call, as the whole was);
   * - a data error on one item: dead-lettered at once; an unknown error on one item: after
   *   UNKNOWN_FAILURE_ATTEMPTS attempts.
   * Effects are idempotent (keyed by event id), so the records of a failed call applied again are
   * applied once. The loop gives up (throws, nothing committed) when the partitions are revoked or
   * the server closes: the fetch then comes again, to this member or another.
   */
  private async applyItems(context: CallContext, items: readonly Item[]): Promise<void> {
    let transientAttempts = 0;
    let unknownAttempts = 0;
    for (;;) {
      const batch = this.batchOf(context, items);
      let error: unknown;
      try {
        await this.heartbeatingDuring(context, () => this.dispatch(batch));
        context.rejections.push(...batch.rejections);
        return;
      } catch (thrown) {
        error = batch.failure ? batch.failure.error : thrown;
      }
      // The group refused this member right before an effect (RecordBatch.fence): given up at once,
      // nothing committed, as the refusal kafkajs's loop rejoins on; never retried nor dead-lettered.
      if (error instanceof StaleBatch) throw error.refusal;
      // Without the interceptor the cause is unknown: retrying is the only choice that loses nothing.
      const kind: FailureKind = batch.failure ? classifyFailure(error) : 'transient';
      if (!batch.failure) this.warnNoInterceptor();
      kafkaMetrics.handlerFailures.inc({ topic: context.topic, kind });
      if (kind === 'transient') {
        transientAttempts += 1;
        this.logger.warn(
          `${context.topic}: handler failed (${describeFailure(error)}); ${items.length} records again in a moment (attempt ${transientAttempts})`,
        );
        await this.pause(context, error, Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** Math.min(transientAttempts, 10)));
        continue;
      }
      if (items.length > 1) {
        const half = Math.ceil(items.length / 2);
        await this.applyItems(context, items.slice(0, half));
        await this.applyItems(context, items.slice(half));
        return;
      }
      unknownAttempts += 1;
      if (kind === 'unknown' && unknownAttempts < UNKNOWN_FAILURE_ATTEMPTS) {
        await this.pause(context, error, 250 * 2 ** unknownAttempts);
        continue;
      }
      const item = items[0] as Item;
      const detail = `${kind === 'data' ? 'the database refused it' : `failed ${unknownAttempts} times`}: ${describeFailure(error)}`;
      this.logger.error(`${context.topic}: one record dead-lettered as processing_failed (${detail})`);
      context.rejections.push(
        'record' in item
          ? { partition: item.record.partition, raw: item.record.raw, reason: 'processing_failed', detail }
          : {
              partition: item.partition,
              raw: { key: null, value: null, offset: item.tombstone.offset, timestamp: '0', attributes: 0, headers: {} },
              reason: 'processing_failed',
              detail: `tombstone: ${detail}`,
            },
      );
      return;
    }
  }

  private batchOf(context: CallContext, items: readonly Item[]): RecordBatch<Topic> {
    const records: ConsumedRecord<TopicPayload<Topic>>[] = [];
    const tombstones: Tombstone[] = [];
    for (const item of items) {
      if ('record' in item) records.push(item.record);
      else tombstones.push(item.tombstone);
    }
    const partitions = [...new Set(items.map((item) => ('record' in item ? item.record.partition : item.partition)))];
    const first = context.parts[0] as FetchedPart;
    return new RecordBatch(
      context.topic,
      items.length === context.parts.reduce((n, part) => n + part.records.length + part.tombstones.length, 0)
        ? context.parts.map((part) => part.partition)
        : partitions,
      records,
      tombstones,
      first.heartbeat,
    );
  }

  /**
   * Runs one handler call, heartbeating while it works, so that a long batch (a slow database, a
   * starved CPU) keeps its partitions instead of being evicted and done again by another member.
   * Bounded (maxHandlerHeartbeatMs): a handler stuck for longer lets the group evict its member.
   * A refused heartbeat is left to the commit that follows, which the coordinator refuses the same
   * way (and kafkajs then rejoins); heartbeats stop once the partitions are no longer this call's.
   */
  private async heartbeatingDuring(context: CallContext, work: () => Promise<void>): Promise<void> {
    const first = context.parts[0] as FetchedPart;
    let ticks = Math.floor((this.options.maxHandlerHeartbeatMs ?? MAX_HANDLER_HEARTBEAT_MS) / HEARTBEAT_TICK_MS);
    const timer = setInterval(() => {
      if (ticks-- <= 0 || !context.parts.every((part) => part.stillOwned())) {
        clearInterval(timer);
        return;
      }
      first.heartbeat().catch(() => undefined);
    }, HEARTBEAT_TICK_MS);
    timer.unref();
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Waits `ms`, heartbeating; throws `error` (nothing committed) once the partitions are no longer ours. */
  private async pause(context: CallContext, error: unknown, ms: number): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      if (!context.parts.every((part) => part.stillOwned())) throw error;
      await (context.parts[0] as FetchedPart).heartbeat();
      const left = until - Date.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 1_000)));
    }
  }

  private warnedNoInterceptor = false;

  private warnNoInterceptor(): void {
    if (this.warnedNoInterceptor) return;
    this.warnedNoInterceptor = true;
    this.logger.warn(
      'a batch handler failed and BatchFailureInterceptor is not installed (KafkaModule.forRoot installs it): every failure is retried, no poison record is isolated',
    );
  }

  private decode(
    topic: Topic,
    partition: number,
    message: KafkaMessage,
    records: ConsumedRecord<TopicPayload<Topic>>[],
    tombstones: Tombstone[],
    rejections: Rejection[],
  ): void {
    const key = message.key?.toString('utf8') ?? null;
    if (message.value === null) {
      if (key !== null && TOPICS_WITH_TOMBSTONES.has(topic)) tombstones.push({ key, offset: message.offset });
      else {
        kafkaMetrics.skipped.inc({ topic, reason: 'null_value' });
        rejections.push({
          partition,
          raw: message,
          reason: 'null_value',
          detail: key === null ? 'a null value without a key' : `a null value (tombstone): ${topic} gives tombstones no meaning`,
        });
      }
      return;
    }
    if (message.value.length > MAX_RECORD_BYTES) {
      rejections.push({
        partition,
        raw: message,
        reason: 'oversized',
        detail: `value: ${message.value.length} bytes, over the limit of ${MAX_RECORD_BYTES}`,
      });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.value.toString('utf8'));
    } catch (error) {
      rejections.push({ partition, raw: message, reason: 'malformed_json', detail: `not JSON: ${(error as Error).message}` });
      return;
    }
    const result = validatePayload(topic, parsed);
    if (!result.ok) {
      rejections.push({ partition, raw: message, reason: result.reason, detail: describeViolations(result.violations) });
      return;
    }
    records.push({
      topic,
      partition,
      offset: message.offset,
      key,
      value: result.value,
      headers: headersToStrings(message.headers),
      timestamp: Number(message.timestamp),
      raw: message,
    });
  }

  private async dispatch(batch: RecordBatch<Topic>): Promise<void> {
    const handler = this.getHandlerByPattern(batch.topic);
    if (!handler) throw new Error(`no handler for ${batch.topic}`);
    // Nest wraps the handler with pipes, interceptors and exception filters; a failure comes
    // back as an erroring observable, which rejects here and so prevents the commit.
    const result = await handler(batch);
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  async close(): Promise<void> {
    this.closing = true;
    // kafkajs waits for the batch in progress to finish before leaving the group.
    await this.consumer?.disconnect();
    this.consumer = undefined;
    this.joined = false;
    this.lag.clear();
    liveLagReports.delete(this.lag);
    if (this.ownsPublisher) await this.publisher.disconnect();
  }

  on(): never {
    throw new Error('KafkaBatchServer does not emit transport events; use isReady() for health.');
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('KafkaBatchServer is not listening');
    return this.consumer as T;
  }
}

/** A part's records and tombstones, in offset order. */
function itemsOf(part: FetchedPart): Item[] {
  if (part.tombstones.length === 0) return part.records.map((record) => ({ record }));
  const items: Item[] = [
    ...part.records.map((record) => ({ record })),
    ...part.tombstones.map((tombstone) => ({ tombstone, partition: part.partition })),
  ];
  const offset = (item: Item) => BigInt('record' in item ? item.record.offset : item.tombstone.offset);
  return items.sort((a, b) => (offset(a) < offset(b) ? -1 : offset(a) > offset(b) ? 1 : 0));
}
