import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { returnedRows } from '@wt/database';
import { ContactSealer, normalizePhone, type OpenedContact } from '@wt/identity';
import { KafkaPublisher } from '@wt/kafka';
import { counter, ReadinessRegistry } from '@wt/observability';
import { type SendOptions, type SendResult, WhatsAppCloudClient } from '@wt/whatsapp';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { DispatcherConfig } from '../dispatcher.config';
import { DispatchLedger, type LedgerRow, type QueuedMessage } from './dispatch-ledger';
import { type AdmissionTicket, SendAdmission } from './send-admission';
import { outcomeOf, type SendAnswer } from './send-consequence';
import { OutcomeRecords, SendOutcomes, sendingHalted, statusBase, traceOf } from './send-outcomes';
import { SendSchedule, type Scheduled } from './send-schedule';
import { catchUpMsAt, LOOK_MS, lookAtSchedule, SENDS_PER_LOOK } from './send-pacer';
import { NumberStates } from './number-states';
import { SendLease } from './send-lease';
import { STANDARD_MPS, ThroughputLimiter } from './throughput-limiter';

const dispatched = counter({
  name: 'wt_dispatch_total',
  help: 'Send attempts by result and Meta error code',
  labelNames: ['result', 'code'],
});

// The name is the one it had when a send that missed its slot booked another; it now waits in this
// replica's queue instead (see `pace`), and the counter says why it missed its slot.
const rebooked = counter({
  name: 'wt_dispatch_slot_rebooked_total',
  help: "Sends that could not go at their throughput slot, once each, by why: timer (the number ran further behind its schedule than it may, 100 ms above 80/s, SLOT_TOLERANCE_MS at 80/s: a late timer or a stall; its schedule moved later), concurrency (no free call), held (the admission guard: this replica's requests already fill the number's second), connection (no connection in time: it goes again), lease (this replica no longer holds the number, or it is in maintenance: back to the ledger), stale (claimed too long ago to start now: back to the ledger). Only `lease` and `stale` give the send up; the others wait in the replica's queue for the guard, no slot booked again",
  labelNames: ['reason'],
});

type Missed = 'timer' | 'concurrency' | 'connection' | 'held' | 'lease' | 'stale';

const held = counter({
  name: 'wt_dispatch_admission_held_total',
  help: "Sends held back at their slot because this replica's recent requests to the number already fill Meta's second (they wait for room)",
});

const mmApi = counter({
  name: 'wt_dispatch_mm_api_total',
  help: 'Marketing templates sent through the Marketing Messages API, by result: accepted, rejected, fallback (not synced yet: sent through the Cloud API), retry_later (no fallback)',
  labelNames: ['result'],
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Margin on top of the call timeout before a `sending` row is presumed orphaned by a dead replica. */
const ORPHAN_MARGIN_MS = 5000;
/**
 * A claimed send not started within this long of its claim goes back to the ledger uncalled: a call
 * started later could still be under way when the timeout resolution presumes its row orphaned
 * (claim + call timeout + ORPHAN_MARGIN_MS) and makes it `unknown`. A second of margin for clocks.
 */
const CLAIM_START_LIMIT_MS = ORPHAN_MARGIN_MS - 1000;
/** How often the pacer looks for such sends. */
const STALE_SWEEP_MS = 100;
/** Pause between two claims while some number still has work due. */
const CLAIM_PAUSE_MS = 50;
/**
 * A contact opened when its send was booked is used at most this long after the vault was asked;
 * older (a send that waited), it is opened again right before the call. Booking is at most
 * CLAIM_AHEAD_MS plus a quarter second of the number's rate ahead of the slot.
 */
const CONTACT_FRESH_MS = 1000;

/**
 * The send pipeline of one replica. A claim loop keeps, for each business number, up to
 * CLAIM_AHEAD_MS of due sends claimed from the ledger (`sending`) and their slots booked in the
 * number's shared throughput schedule (one round trip for every number). A pacer makes each call
 * at its slot, concurrently, as long as the admission guard admits it (this replica's requests of
 * the number still unanswered or answered within the last second leave room in Meta's second) and
 * a call is free, looking every LOOK_MS. A send that cannot go at its slot (a late look, the guard,
 * no free call, no connection in time) waits in this replica's queue and goes as soon as the guard
 * lets it: a number may run up to `catchUpMsAt` behind its schedule and make up the time (100 ms
 * above 80/s, SLOT_TOLERANCE_MS at 80/s); further behind, its whole schedule moves later (its sends
 * keep their spacing: no burst). Since
 * the send lease, one replica sends a number's messages, so the guard alone bounds what Meta counts
 * in any second, and booking the send a new slot (a round trip, and the slot it leaves unused)
 * would only cost throughput. Accepted sends are written to the ledger and published in batches.
 * Everything it decides is in Postgres, so a restart loses and repeats nothing.
 */
@Injectable()
export class DispatchSender implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DispatchSender.name);
  private running = false;
  private claimLoop: Promise<void> | undefined;
  private halted = false;
  private lastMaintenance = 0;
  private readonly schedule = new SendSchedule();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private inFlight = 0;
  private readonly calls = new Set<Promise<void>>();
  /** Accepted sends and outcomes waiting for the next ledger flush. */
  private acceptedBuffer: { row: LedgerRow; wamid: string }[] = [];
  private pendingOut = new OutcomeRecords();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** When the pacer last looked (`Date.now()` ms): it looks every LOOK_MS at most. */
  private lastLook = -Infinity;
  private lastStaleSweep = 0;
  /** Sends claimed at once per number (a quarter second of its rate), where it is not the default's. */
  private readonly perNumberClaim: number;
  /** Per number, sends taken from the schedule and not yet admitted or put back (their contacts being opened). */
  private readonly opening = new Map<string, number>();
  /** Numbers whose marketing templates go through the Marketing Messages API. */
  private readonly mmApiNumbers: ReadonlySet<string>;
  /** Sends the Marketing Messages API could not take yet: they go through the Cloud API (MM_API_FALLBACK=cloud_api). */
  private readonly viaCloudApi = new Set<string>();
  /** Per number, this replica's requests that Meta may still count in its sliding second (see SendAdmission). */
  private readonly admission: SendAdmission;

  constructor(
    private readonly ledger: DispatchLedger,
    private readonly outcomes: SendOutcomes,
    private readonly limiter: ThroughputLimiter,
    private readonly client: WhatsAppCloudClient,
    private readonly sealer: ContactSealer,
    private readonly publisher: KafkaPublisher,
    private readonly dataSource: DataSource,
    private readonly config: DispatcherConfig,
    readiness: ReadinessRegistry,
    private readonly numbers: NumberStates,
    private readonly lease: SendLease,
  ) {
    // Halted sending is an alert: the replica says it is not ready (and the metric says why).
    readiness.register('whatsapp-sending', () => !this.halted);
    // At most a quarter second of one number's rate is claimed at once.
    this.perNumberClaim = Math.min(config.CLAIM_BATCH, Math.max(1, Math.floor(config.WHATSAPP_MPS / 4)));
    this.admission = new SendAdmission((id) => this.numbers.rateOf(id));
    this.mmApiNumbers = new Set((config.WHATSAPP_MM_API_NUMBERS ?? '').split(',').filter(Boolean));
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.claimLoop = this.run();
  }

  /**
   * Stops sending first, on SIGTERM, before Nest closes the HTTP server and the Kafka consumer (which
   * may take seconds while the group rebalances): a replica told to stop sends nothing more, hands
   * its numbers over at once, and still has its database and publisher for what it writes here.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping ??= this.stop();
    await this.stopping;
  }

  private stopping: Promise<void> | undefined;

  private async stop(): Promise<void> {
    this.running = false;
    await this.claimLoop;
    clearTimeout(this.timer);
    // Claimed but not called: back to `pending` for whichever replica comes next.
    const unsent = this.schedule.drain().map((s) => s.row);
    await this.ledger
      .release(unsent)
      .catch((error: unknown) =>
        this.logger.error(`release of ${unsent.length} unsent claims: ${String(error)}; they resolve as in doubt`),
      );
    await Promise.all([...this.calls]);
    await this.flush();
    // Every call answered or given up: the next holder of these numbers waits one window, or
    // longer while a request given up on a timeout may still be counted by Meta.
    await this.lease.release(undefined, this.admission.quietMs(performance.now()));
  }

  /** Sends claimed at once for a number: a quarter second of its rate. */
  private claimCap(phoneNumberId: string): number {
    return Math.min(this.config.CLAIM_BATCH, Math.max(1, Math.floor(this.numbers.rateOf(phoneNumberId) / 4)));
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const claimed = await this.claim();
        await sleep(claimed ? CLAIM_PAUSE_MS : this.config.SENDER_POLL_MS);
      } catch (error) {
        this.logger.error(`send loop: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(1000);
      }
    }
  }

  /** One claim round for the numbers whose booked sends reach less than CLAIM_AHEAD_MS ahead; true if it claimed anything. */
  async claim(): Promise<boolean> {
    if (Date.now() - this.lastMaintenance >= 1000) {
      this.lastMaintenance = Date.now();
      await this.maintenance();
    }
    // Only the numbers whose send lease this replica holds (one sender per number), and not in maintenance.
    const active = new Set([...this.schedule.numbers(), ...this.opening.keys(), ...this.admission.active(performance.now())]);
    const now = Date.now();
    const leased = (await this.lease.acquire([...active])).filter((id) => !this.numbers.isUnusable(id, now));
    // Before the claim statement, so no later than the database's `claimed_at` (up to the clocks' offset).
    const claimedAt = Date.now();
    if (leased.length === 0) return false;
    const ahead = Date.now() + this.config.CLAIM_AHEAD_MS;
    // Booked far enough ahead, or holding two claims' worth (sends waiting for the guard): nothing more for now.
    const full = [
      ...new Set([...this.schedule.numbersBookedBeyond(ahead), ...this.schedule.numbersHolding((id) => 2 * this.claimCap(id))]),
    ];
    const { sending, skipped } = await this.ledger.claimDue(
      this.config.CLAIM_BATCH,
      this.perNumberClaim,
      this.config.PAIR_INTERVAL_MS,
      this.outcomes.fingerprint,
      full,
      {
        numbers: leased,
        caps: new Map(leased.map((id) => [id, this.claimCap(id)])),
        portfolioWindowMs: this.config.PORTFOLIO_WINDOW_MS,
        holder: this.lease.holder,
      },
    );
    for (const row of skipped) {
      this.pendingOut.statuses.push({
        key: row.personId,
        headers: traceOf(row),
        value: {
          ...statusBase(row),
          status: 'rejected',
          errorCode: 131026,
          errorTitle: 'Recipient marked unreachable: not sent (skipped)',
        },
      });
    }
    if (skipped.length > 0) this.scheduleFlush();
    if (sending.length > 0) await this.book(sending, claimedAt);
    return sending.length + skipped.length > 0;
  }

  private async maintenance(): Promise<void> {
    await this.numbers.refresh();
    const out = new OutcomeRecords();
    for (const row of await this.ledger.resolveTimeouts(
      this.config.WHATSAPP_TIMEOUT_MS + ORPHAN_MARGIN_MS,
      this.config.UNKNOWN_RESOLVE_MS,
    )) {
      this.logger.warn(
        `decision ${row.decisionId}: no answer and no status webhook within ${this.config.UNKNOWN_RESOLVE_MS} ms; expired, not resent`,
      );
      out.statuses.push({
        key: row.personId,
        headers: traceOf(row),
        value: {
          ...statusBase(row),
          status: 'failed',
          errorTitle: 'Unconfirmed: no answer and no status webhook from WhatsApp; not resent',
        },
      });
    }
    const ended = returnedRows<{ business_id: string }>(
      await this.dataSource.query(`DELETE FROM business_pause WHERE until <= now() RETURNING business_id`),
    );
    for (const { business_id } of ended) {
      out.signals.push({
        key: business_id,
        value: { businessId: business_id, signal: 'campaigns_resumed', occurredAt: new Date().toISOString() },
      });
    }
    const halts = (await this.dataSource.query(`SELECT 1 FROM sending_halt WHERE token_fingerprint = $1`, [
      this.outcomes.fingerprint,
    ])) as unknown[];
    this.halted = halts.length > 0;
    sendingHalted.set(this.halted ? 1 : 0);
    await this.publisher.publishAll(out.batches());
  }

  /**
   * Books slots for claimed sends (every number in one round trip) and hands them to the pacer,
   * with their contacts opened meanwhile (one vault round trip for the whole claim, beside the
   * booking's; a send whose contact is older than CONTACT_FRESH_MS at its slot, or did not open, is
   * opened again then).
   */
  private async book(rows: LedgerRow[], claimedAt: number): Promise<void> {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.phoneNumberId, (counts.get(row.phoneNumberId) ?? 0) + 1);
    const askedAt = Date.now();
    const opening = this.sealer.openAll(
      rows.map((row) => row.message?.contact ?? ''),
      { fresh: true },
    );
    // Not opened now (the vault unreachable): opened at the slot, where a failure is handled.
    const contacts = opening.catch(() => undefined);
    const slots = await this.limiter.reserveMany(counts, (id) => this.numbers.rateOf(id), this.config.THROUGHPUT_MARGIN_MS);
    const opened = await contacts;
    const next = new Map<string, number>();
    rows.forEach((row, r) => {
      const i = next.get(row.phoneNumberId) ?? 0;
      next.set(row.phoneNumberId, i + 1);
      const slot = slots.get(row.phoneNumberId)?.[i];
      if (slot === undefined) throw new Error(`no throughput slot for number ${row.phoneNumberId}`);
      const contact = opened?.[r];
      this.schedule.add(contact?.ok ? { row, slot, claimedAt, contact, openedAt: askedAt } : { row, slot, claimedAt });
    });
    this.arm();
  }

  /** Sets the pacer's timer for the earliest booked slot, LOOK_MS after its last look at the soonest (`again`: at once). */
  private arm(again = false): void {
    if (!this.running) return;
    const earliest = this.schedule.earliest();
    if (earliest === undefined) return;
    const at = again ? Date.now() : Math.max(earliest, this.lastLook + LOOK_MS);
    if (at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.pace(), Math.max(0, at - Date.now()));
  }

  /**
   * Calls Meta for the sends whose slot has come (`lookAtSchedule`): earliest first, as many as the
   * admission guard admits and calls are free, up to SENDS_PER_LOOK; the others stay first in line
   * for the next look (at once when this one started its share). A number further behind its
   * schedule than it may run (`catchUpMsAt`) (a late timer, a stall, sends the guard held) has its whole schedule moved
   * later to that far behind: within it, the late sends go as soon as the guard lets them, and no
   * slot is left unused.
   */
  private pace(): void {
    this.timerAt = Infinity;
    this.timer = undefined;
    const now = Date.now();
    this.lastLook = now;
    if (now - this.lastStaleSweep >= STALE_SWEEP_MS) {
      this.lastStaleSweep = now;
      this.requeue(this.schedule.takeClaimedBefore(now - CLAIM_START_LIMIT_MS).map((item) => this.missed(item, 'stale')));
    }
    const look = lookAtSchedule(this.schedule, this.admission, now, performance.now(), this.config.SEND_CONCURRENCY - this.inFlight, {
      catchUpMs: this.catchUpMs,
      perLook: SENDS_PER_LOOK,
    });
    for (const { phoneNumberId, delayMs, first } of look.moved) {
      this.missed(first, 'timer');
      this.limiter.delayed(phoneNumberId, delayMs);
    }
    for (const { item, why } of look.missed) this.missed(item, why);
    this.inFlight += look.ready.length;
    for (const { item } of look.ready) this.opening.set(item.row.phoneNumberId, (this.opening.get(item.row.phoneNumberId) ?? 0) + 1);
    if (look.ready.length > 0)
      this.track(
        this.openAndCall(
          look.ready.map((r) => r.item),
          look.ready.map((r) => r.ticket),
        ),
      );
    this.arm(look.full);
  }

  /** How far a number may run behind its schedule (`catchUpMsAt`). */
  private readonly catchUpMs = (phoneNumberId: string): number =>
    catchUpMsAt(this.numbers.rateOf(phoneNumberId), STANDARD_MPS, this.config.SLOT_TOLERANCE_MS);

  /** Counts a send that missed its slot, and why (once per send). */
  private missed(item: Scheduled, reason: Missed): Scheduled {
    // Counted once per send, except when it is given back to the ledger (it may be claimed again).
    if (item.missed !== undefined && reason !== 'lease' && reason !== 'stale') return item;
    item.missed = reason;
    rebooked.inc({ reason });
    if (reason === 'held') held.inc();
    return item;
  }

  /** Sends that must go again (no connection in time, the Marketing Messages API's fallback): first in line, now. */
  private later(items: Scheduled[]): void {
    if (items.length === 0) return;
    const now = Date.now();
    for (const item of items) this.schedule.add({ ...item, slot: now });
    this.arm();
  }

  /**
   * The contacts of the sends due now, fresh from the key vault (never its cache: an erased person
   * is not messaged): those opened when they were booked, at most CONTACT_FRESH_MS ago, as they are
   * (no round trip); the others opened now, in one round trip. Then, right before each call, the
   * lease's check (the request must be written while this replica surely holds the number). Each
   * send came with its admission ticket (`tickets[i]`, taken by the pacer); one that makes no call
   * gives it back.
   */
  private async openAndCall(items: Scheduled[], tickets: AdmissionTicket[]): Promise<void> {
    const freshSince = Date.now() - CONTACT_FRESH_MS;
    const stale = new Set(items.filter((item) => !item.contact || (item.openedAt ?? -Infinity) < freshSince));
    const openedNow = new Map<Scheduled, OpenedContact>();
    let vaultError: unknown;
    if (stale.size > 0) {
      try {
        const asked = [...stale];
        const opened = await this.sealer.openAll(
          asked.map((item) => item.row.message?.contact ?? ''),
          { fresh: true },
        );
        asked.forEach((item, i) => openedNow.set(item, opened[i] as OpenedContact));
      } catch (error) {
        vaultError = error;
      }
    }
    // Undefined: the vault could not be asked (vaultError).
    const opened = items.map((item) => (stale.has(item) ? openedNow.get(item) : item.contact));
    // Called or put back below: the number's lease no longer needs these to stay renewed.
    for (const item of items) {
      const left = (this.opening.get(item.row.phoneNumberId) ?? 1) - 1;
      if (left > 0) this.opening.set(item.row.phoneNumberId, left);
      else this.opening.delete(item.row.phoneNumberId);
    }
    const unleased: Scheduled[] = [];
    const sends: Promise<void>[] = [];
    items.forEach((item, i) => {
      // Each send's deadline from its own start: one started after the others of its look still has
      // SLOT_TOLERANCE_MS to get its connection.
      const now = Date.now();
      const notAfter = now + this.config.SLOT_TOLERANCE_MS;
      const contact = opened[i];
      const ticket = tickets[i] as AdmissionTicket;
      const number = item.row.phoneNumberId;
      if (!contact?.ok || !item.row.message) {
        // No call (the vault unreachable, the contact does not open, nothing to send): it counts no more.
        this.admission.cancel(ticket);
      } else if (!this.lease.allows(number, now, notAfter) || this.numbers.isUnusable(number, now)) {
        // Another replica may send this number now (or it is in maintenance): not sent, back to the ledger.
        this.admission.cancel(ticket);
        this.inFlight--;
        unleased.push(this.missed(item, 'lease'));
        return;
      } else if ((item.claimedAt ?? Infinity) < now - CLAIM_START_LIMIT_MS) {
        // Claimed too long ago (the vault answered late): not sent, back to the ledger.
        this.admission.cancel(ticket);
        this.inFlight--;
        unleased.push(this.missed(item, 'stale'));
        return;
      }
      sends.push(
        (contact ? this.sendOne(item, contact, ticket, notAfter) : this.vaultUnavailable(item, vaultError))
          .catch((error: unknown) => {
            // The row stays `sending`: the timeout resolution makes it `unknown`, never resent blindly.
            this.logger.error(`decision ${item.row.decisionId}: ${error instanceof Error ? error.message : String(error)}; left in doubt`);
          })
          .finally(() => this.inFlight--),
      );
    });
    this.requeue(unleased);
    await Promise.all(sends);
  }

  /** Claimed sends this replica must not make now: back to `pending`, for whichever replica holds their number. */
  private requeue(items: Scheduled[]): void {
    if (items.length === 0) return;
    const rows = items.map((item) => item.row);
    this.track(
      this.ledger
        .release(rows)
        .catch((error: unknown) =>
          this.logger.error(
            `release of ${rows.length} sends: ${error instanceof Error ? error.message : String(error)}; they resolve as in doubt`,
          ),
        ),
    );
  }

  private track(work: Promise<void>): void {
    this.calls.add(work);
    void work.finally(() => this.calls.delete(work));
  }

  /** The vault is unreachable: nothing reached Meta, so the send goes back to the queue. */
  private async vaultUnavailable(item: Scheduled, error: unknown): Promise<void> {
    this.logger.warn(
      `decision ${item.row.decisionId}: key vault unavailable (${error instanceof Error ? error.message : String(error)}); retried in ${this.outcomes.policy.vaultRetryMs} ms`,
    );
    await this.settle(item, { kind: 'unsent', why: 'vault-unavailable' });
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, this.config.LEDGER_FLUSH_MS);
  }

  /** Writes the accepted sends in one statement, then publishes their statuses (and other outcomes). One flush at a time. */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const accepted = this.acceptedBuffer;
      const out = this.pendingOut;
      this.acceptedBuffer = [];
      this.pendingOut = new OutcomeRecords();
      if (accepted.length === 0 && out.statuses.length + out.consents.length + out.signals.length === 0) return;
      try {
        await this.ledger.acceptedMany(accepted.map(({ row, wamid }) => ({ decisionId: row.decisionId, wamid })));
        for (const { row, wamid } of accepted) {
          out.statuses.push({ key: row.personId, headers: traceOf(row), value: { ...statusBase(row), status: 'accepted', wamid } });
        }
        await this.publisher.publishAll(out.batches());
      } catch (error) {
        // Still `sending` in the ledger: the status webhooks (which echo the decision id) or the
        // timeout resolution settle them; they are never sent again.
        this.logger.error(`ledger flush of ${accepted.length} accepted sends: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    return this.flushing;
  }

  /**
   * One send, from the top: a send that cannot be made is not called; otherwise the platform's
   * answer (its admission `ticket` settled or given back). Either way, `settle` decides what comes of it.
   */
  private async sendOne(item: Scheduled, opened: OpenedContact, ticket: AdmissionTicket, notAfter: number): Promise<void> {
    const message = item.row.message;
    if (!message || !opened.ok || (message.kind === 'template' && isUsNumber(opened.e164))) {
      // No call, nothing reaches Meta: no message, a contact that does not open, or a marketing
      // template to a US number (Meta delivers none since 2025-04-01, failing them with 131049).
      this.admission.cancel(ticket);
      await this.settle(item, { kind: 'unsent', why: !message ? 'no-message' : !opened.ok ? opened.reason : 'us-marketing' });
      return;
    }
    // Checked again when the connection is handed over, right before the request is written.
    const viaMmApi =
      message.kind === 'template' && this.mmApiNumbers.has(item.row.phoneNumberId) && !this.viaCloudApi.has(item.row.decisionId);
    const result = await this.call(item.row, message, opened.e164, ticket, {
      notAfter,
      endpoint: viaMmApi ? 'marketing_messages' : 'messages',
    });
    await this.settle(item, result, viaMmApi);
  }

  /** Asks WhatsApp; the admission `ticket` is settled (or given back) with its answer. */
  private async call(
    row: LedgerRow,
    message: QueuedMessage,
    to: string,
    ticket: AdmissionTicket,
    options: SendOptions,
  ): Promise<SendResult> {
    let result: SendResult;
    try {
      result =
        message.kind === 'template'
          ? await this.client.sendTemplate(
              row.phoneNumberId,
              to,
              {
                name: message.templateName,
                language: { code: message.language },
                components: message.bodyParameters.length
                  ? [{ type: 'body', parameters: message.bodyParameters.map((text) => ({ type: 'text' as const, text })) }]
                  : undefined,
              },
              row.decisionId,
              options,
            )
          : await this.client.sendText(row.phoneNumberId, to, message.text, row.decisionId, options);
    } catch (error) {
      this.admission.settle(ticket, performance.now());
      throw error;
    }
    // The answer came at or before this moment: Meta's stamp, if any, was earlier. A request that
    // was never written counts no more. One given up without an answer (a timeout) may still be
    // handled later, by a slow Meta or a stalled sandbox: it counts for one more call timeout.
    if (result.kind === 'late') this.admission.cancel(ticket);
    else if (result.kind === 'unknown' && result.reason === 'timeout')
      this.admission.abandon(ticket, performance.now(), this.config.WHATSAPP_TIMEOUT_MS);
    else this.admission.settle(ticket, performance.now());
    // Counted by result; a template the Marketing Messages API does not have yet (131009) only there.
    const notSynced = result.kind === 'rejected' && result.code === 131009;
    if (options.endpoint === 'marketing_messages')
      mmApi.inc({ result: notSynced ? (this.config.MM_API_FALLBACK === 'cloud_api' ? 'fallback' : 'retry_later') : result.kind });
    if (options.endpoint === 'marketing_messages' && notSynced) return result;
    if (result.kind === 'accepted') dispatched.inc({ result: 'accepted', code: '' });
    else if (result.kind === 'rejected') dispatched.inc({ result: 'rejected', code: String(result.code ?? result.httpStatus) });
    else if (result.kind === 'unknown') dispatched.inc({ result: 'unknown', code: result.reason });
    return result;
  }

  /**
   * Where every send's answer goes: `outcomeOf` decides what comes of it (pure); what stays in this
   * replica (an accepted send, written with the next batch; one to send again) is kept here, the rest
   * is recorded by `SendOutcomes` in one ledger statement and published with the next flush.
   */
  private async settle(item: Scheduled, answer: SendAnswer, viaMmApi = false): Promise<void> {
    const row = item.row;
    const outcome = outcomeOf(row, answer, this.outcomes.policy, viaMmApi);
    if (outcome.action === 'accept') {
      this.acceptedBuffer.push({ row, wamid: outcome.wamid });
      this.scheduleFlush();
      return;
    }
    if (outcome.action === 'send-again') {
      // Nothing was written: first in line again, through the Cloud API when the Marketing Messages
      // API could not take it (and still so when that call found no connection in time).
      if (outcome.viaCloudApi) this.viaCloudApi.add(row.decisionId);
      this.later([outcome.viaCloudApi ? item : this.missed(item, 'connection')]);
      return;
    }
    this.viaCloudApi.delete(row.decisionId);
    if (outcome.action === 'refused' && outcome.maintenance) {
      // The number is in maintenance (its throughput changing, up to a minute): every replica
      // holds its sends for a while instead of meeting the same answer with each of them.
      await this.numbers.markUnusable(row.phoneNumberId);
      this.requeue(this.schedule.takeNumber(row.phoneNumberId));
    }
    const out = new OutcomeRecords();
    await this.outcomes.record(row, outcome, out);
    this.merge(out);
  }

  /** Outcomes written to the ledger: published with the next flush. */
  private merge(records: OutcomeRecords): void {
    this.pendingOut.statuses.push(...records.statuses);
    this.pendingOut.consents.push(...records.consents);
    this.pendingOut.signals.push(...records.signals);
    this.scheduleFlush();
  }
}

/** Whether a number opened for a send is a US (+1) one. */
function isUsNumber(e164: string): boolean {
  const phone = normalizePhone(e164);
  return phone.ok && (phone as { country?: string }).country === 'US';
}
