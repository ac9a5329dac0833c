import { type AssistantReplyV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { PlatformKeySealer, Pseudonymizer } from '@wt/identity';
import { eventually, randomFrenchMobile, testBrokers } from '@wt/testing';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type Client } from 'pg';
import { type DispatcherStack } from './dispatcher-children';

/** A person of a test: the number (E.164 and Meta's digits) and the personId the platform gives it. */
export interface TestPerson {
  e164: string;
  digits: string;
  personId: string;
  contact: string;
}

/** What a test needs to drive the dispatcher of a `dispatcherStack`: people, decisions, replies, the sandbox, the ledger. */
export class DispatchDriver {
  private producer?: Producer;
  private readonly sealer: PlatformKeySealer;
  private readonly pseudonymizer: Pseudonymizer;

  constructor(
    readonly stack: DispatcherStack,
    readonly pg: Client,
    readonly run: string,
  ) {
    this.sealer = new PlatformKeySealer(stack.contactKey);
    this.pseudonymizer = new Pseudonymizer(stack.pseudonymSecret);
  }

  async connect(): Promise<void> {
    this.producer = new Kafka({ brokers: testBrokers(), clientId: `dispatch-it-${this.run}`, logLevel: logLevel.ERROR }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
    });
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
  }

  person(): TestPerson {
    const { e164, digits } = randomFrenchMobile();
    return { e164, digits, personId: this.pseudonymizer.personId(e164), contact: this.sealer.seal(e164) };
  }

  decision(person: TestPerson, label: string, phoneNumberId: string, businessId = `biz-${this.run}`): TargetingDecisionV1 {
    return {
      decisionId: `it-${this.run}-${label}`,
      campaignId: `campaign-${this.run}-${label}`,
      businessId,
      personId: person.personId,
      outcome: 'send',
      reason: 'relevant',
      score: 0.9,
      modelVersion: 'test',
      explanation: { summary: 'test', factors: [] },
      decidedAt: new Date().toISOString(),
      send: { phoneNumberId, contact: person.contact, templateName: 'spring_sale', language: 'en', bodyParameters: [] },
    };
  }

  async publishDecisions(...decisions: TargetingDecisionV1[]): Promise<void> {
    await this.send(
      Topic.TargetingDecisionsV1,
      decisions.map((d) => ({ key: d.personId, value: d })),
    );
  }

  /** A free-form reply as the assistant asks for one; its ledger id is `reply:<replyId>`. */
  async publishReply(person: TestPerson, label: string, phoneNumberId: string, businessId = `biz-${this.run}`): Promise<string> {
    const reply: AssistantReplyV1 = {
      replyId: `it-${this.run}-${label}`,
      businessId,
      personId: person.personId,
      contact: person.contact,
      phoneNumberId,
      text: 'Our shop opens at 9.',
      requestedAt: new Date().toISOString(),
    };
    await this.send(Topic.AssistantRepliesV1, [{ key: person.personId, value: reply }]);
    return `reply:${reply.replyId}`;
  }

  /** Records on any topic (e.g. a purchase on the engagement stream), keyed as given. */
  async publishRecords(topic: Topic, records: { key: string; value: object }[]): Promise<void> {
    await this.send(topic, records);
  }

  private async send(topic: Topic, records: { key: string; value: object }[]): Promise<void> {
    if (!this.producer) throw new Error('connect() first');
    await this.producer.send({
      topic,
      acks: -1,
      messages: records.map((r) => ({ key: r.key, value: JSON.stringify(r.value), headers: { 'wt-schema': topic } })),
    });
  }

  /** Injects a sandbox fault (`POST /sandbox/faults`). */
  async fault(body: {
    to?: string;
    phoneNumberId?: string;
    code: number;
    httpStatus?: number;
    times: number;
    mode?: 'reject' | 'status' | 'hang' | 'drop' | 'bare';
  }): Promise<void> {
    const response = await fetch(`${this.stack.sandbox.url}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`fault refused: ${response.status} ${await response.text()}`);
  }

  /** Messages the sandbox accepted for one decision (by `biz_opaque_callback_data`), oldest first. */
  async sandboxMessages(decisionId: string, phoneNumberId?: string): Promise<{ wamid: string; acceptedAt: string; type: string }[]> {
    const query = phoneNumberId ? `?phoneNumberId=${phoneNumberId}` : '';
    const all = (await (await fetch(`${this.stack.sandbox.url}/sandbox/messages${query}`)).json()) as {
      wamid: string;
      acceptedAt: string;
      type: string;
      bizOpaqueCallbackData?: string;
    }[];
    return all.filter((m) => m.bizOpaqueCallbackData === decisionId);
  }

  async sandboxStats(): Promise<{ accepted: number; rejected: Record<string, number>; unanswered: { hang: number; drop: number } }> {
    return (await (await fetch(`${this.stack.sandbox.url}/sandbox/stats`)).json()) as {
      accepted: number;
      rejected: Record<string, number>;
      unanswered: { hang: number; drop: number };
    };
  }

  async ledger(decisionId: string): Promise<LedgerState | undefined> {
    const { rows } = await this.pg.query<LedgerState>(
      `SELECT state, attempts, error_code AS "errorCode", wamid, marketing_limit_retries AS "marketingLimitRetries", statuses
       FROM dispatch WHERE decision_id = $1`,
      [decisionId],
    );
    return rows[0];
  }

  /** Waits until the decision's ledger row satisfies `done`, and returns it. */
  async ledgerUntil(decisionId: string, what: string, done: (row: LedgerState) => boolean, timeoutMs = 20_000): Promise<LedgerState> {
    return eventually(
      `${decisionId}: ${what}`,
      async () => {
        const row = await this.ledger(decisionId);
        return row && done(row) ? row : undefined;
      },
      timeoutMs,
    );
  }

  /**
   * Watches a decision's ledger row (every 20 ms) until `done`, and returns each retry it saw
   * scheduled: the attempt that failed, its error code and the persisted delay
   * (`next_attempt_at - updated_at`, both written by one statement: the exact delay chosen).
   */
  async watchRetries(
    decisionId: string,
    done: (row: LedgerState) => boolean,
    timeoutMs = 30_000,
  ): Promise<{ retries: ScheduledRetry[]; final: LedgerState }> {
    const retries: ScheduledRetry[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await this.pg.query<LedgerState & { delayMs: number }>(
        `SELECT state, attempts, error_code AS "errorCode", wamid, marketing_limit_retries AS "marketingLimitRetries", statuses,
                round(extract(epoch FROM next_attempt_at - updated_at) * 1000)::int AS "delayMs"
         FROM dispatch WHERE decision_id = $1`,
        [decisionId],
      );
      const row = rows[0];
      // Pending after an attempt: a retry was scheduled (the error code is null for a bare HTTP error or a refused connection).
      if (row?.state === 'pending' && row.attempts > 0 && !retries.some((r) => r.afterAttempt === row.attempts)) {
        retries.push({ afterAttempt: row.attempts, errorCode: row.errorCode, delayMs: row.delayMs });
      }
      if (row && done(row)) return { retries, final: row };
      if (Date.now() > deadline) throw new Error(`${decisionId}: not done within ${timeoutMs} ms (last ${JSON.stringify(row)})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export interface LedgerState {
  state: string;
  attempts: number;
  errorCode: number | null;
  wamid: string | null;
  marketingLimitRetries: number;
  statuses: string[];
}

export interface ScheduledRetry {
  afterAttempt: number;
  errorCode: number | null;
  delayMs: number;
}

/**
 * A TCP relay between the dispatcher and the sandbox that a test can switch off (connections
 * refused: nothing reaches the API) and on again at once, on the same port, without restarting
 * the sandbox. Bytes are relayed untouched, so every sandbox fault behaves as without it.
 */
export class ApiSwitch {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Chosen by the system at the first `open` (held from then on, so no other test port can be given it), then kept. */
  private port = 0;

  constructor(private readonly targetPort: () => number) {}

  get url(): string {
    if (!this.port) throw new Error('open() first');
    return `http://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort(), '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      }
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening and cuts every connection: the next call is refused (ECONNREFUSED). */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
