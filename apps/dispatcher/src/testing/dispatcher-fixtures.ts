import { type AssistantReplyV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { PlatformKeySealer, Pseudonymizer } from '@wt/identity';
import { eventually, randomFrenchMobile, sendDecision, TestProducer, testBrokers, TopicProbe } from '@wt/testing';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type Client } from 'pg';
import { dispatcherStack, type DispatcherStack, freshDatabase } from './dispatcher-children';

type Probes<T extends readonly Topic[]> = { -readonly [K in keyof T]: TopicProbe<T[K] & Topic> };

/** A dispatcher spec's world: a fresh database, the built sandbox and dispatcher wired to it, a driver and probes. */
export class DispatcherTestBed {
  private readonly probes: TopicProbe<Topic>[] = [];

  private constructor(
    readonly db: Awaited<ReturnType<typeof freshDatabase>>,
    readonly stack: DispatcherStack,
    readonly driver: DispatchDriver,
  ) {}

  /** Creates the database `wt_it_<name>_<run>` and the two children (none started yet). */
  static async create(
    run: string,
    name: string,
    dispatcherEnv: Record<string, string> = {},
    sandboxEnv: Record<string, string> = {},
  ): Promise<DispatcherTestBed> {
    const db = await freshDatabase(`wt_it_${name}_${run}`);
    const stack = await dispatcherStack(run, db.url, dispatcherEnv, sandboxEnv);
    return new DispatcherTestBed(db, stack, new DispatchDriver(stack, db.pg, run));
  }

  /**
   * Starts the sandbox and the driver's producer while a probe joins each of `topics` (so that
   * nothing the dispatcher publishes is missed), then the dispatcher; returns the probes in order.
   */
  async start<T extends readonly Topic[]>(...topics: T): Promise<Probes<T>> {
    const [probes] = await Promise.all([
      Promise.all(topics.map((topic) => TopicProbe.start(testBrokers(), topic))),
      this.stack.sandbox.start(),
      this.driver.connect(),
    ]);
    this.probes.push(...probes);
    await this.stack.dispatcher.start();
    return probes as Probes<T>;
  }

  /** Registers a template on a number at the sandbox, as Meta's create call does (`UTILITY_TEMPLATE`: a utility one); the HTTP status. */
  async registerTemplate(
    phoneNumberId: string,
    template: { name: string; language: string; category: string; body: string },
  ): Promise<number> {
    const created = await fetch(`${this.stack.sandbox.url}/v23.0/${phoneNumberId}/message_templates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.stack.accessToken}` },
      body: JSON.stringify({
        name: template.name,
        language: template.language,
        category: template.category,
        components: [{ type: 'BODY', text: template.body }],
      }),
    });
    return created.status;
  }

  /**
   * Stops the probes and the driver, then the children, then drops the database. SIGKILL by
   * default: a graceful stop waits for the consumer's last fetch, and a run's group is thrown away anyway.
   */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await Promise.all([...this.probes.map((probe) => probe.stop()), this.driver.disconnect()]);
    await this.stack.dispatcher.kill(signal);
    await this.stack.sandbox.kill(signal);
    await this.db.drop();
  }
}

/** A person of a test: the number (E.164 and Meta's digits) and the personId the platform gives it. */
export interface TestPerson {
  e164: string;
  digits: string;
  personId: string;
  contact: string;
}

/** What a test needs to drive the dispatcher of a `dispatcherStack`: people, decisions, replies, the sandbox, the ledger. */
export class DispatchDriver {
  private producer?: TestProducer;
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
    this.producer = await TestProducer.connect(`dispatch-it-${this.run}`);
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
  }

  /** A new person with a random French mobile number, or the person of a given E.164 number. */
  person(e164 = randomFrenchMobile().e164): TestPerson {
    return { e164, digits: e164.slice(1), personId: this.pseudonymizer.personId(e164), contact: this.sealer.seal(e164) };
  }

  decision(
    person: TestPerson,
    label: string,
    phoneNumberId: string,
    businessId = `biz-${this.run}`,
    campaign: { campaignId?: string; templateName?: string } = {},
  ): TargetingDecisionV1 {
    return sendDecision({
      decisionId: `it-${this.run}-${label}`,
      campaignId: campaign.campaignId ?? `campaign-${this.run}-${label}`,
      businessId,
      personId: person.personId,
      phoneNumberId,
      contact: person.contact,
      templateName: campaign.templateName,
    });
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
    await this.producer.publish(topic, records);
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

/** A utility template: what the pricing tests register, so its sends are priced as utility. */
export const UTILITY_TEMPLATE = { name: 'spring_sale', language: 'en', category: 'UTILITY', body: 'Your order shipped' };
