import { Injectable } from '@nestjs/common';
import { returnedRows } from '@wt/database';
import { DataSource, type EntityManager } from 'typeorm';
import { PORTFOLIO_LIMIT_REASON, PortfolioLimits } from './portfolio-limits';
import { type RecordedOutcome, type SendConsequence } from './send-consequence';

/** What to send: a template (campaign decision) or a free-form text (assistant reply). */
export type QueuedMessage =
  | { kind: 'template'; contact: string; templateName: string; language: string; bodyParameters: string[] }
  | { kind: 'text'; contact: string; text: string };

/** One send to make, as the consumers enqueue it. `decisionId` is the idempotency key. */
export interface QueuedSend {
  decisionId: string;
  personId: string;
  businessId: string;
  /** Empty for an assistant reply. */
  campaignId: string;
  phoneNumberId: string;
  message: QueuedMessage;
  /** W3C `traceparent` of the record that asked for the send; its statuses continue the trace. */
  traceparent?: string;
}

export interface LedgerRow {
  decisionId: string;
  personId: string;
  businessId: string;
  campaignId: string;
  phoneNumberId: string;
  kind: 'template' | 'text';
  message: QueuedMessage | null;
  attempts: number;
  marketingLimitRetries: number;
  traceparent?: string | null;
  /** The claim's fencing token (`claim_epoch`, one more at every claim): what the sender writes about its claim names it. */
  claimEpoch: string;
}

interface RawRow {
  decision_id: string;
  person_id: string;
  business_id: string;
  campaign_id: string;
  phone_number_id: string;
  kind: 'template' | 'text';
  message: QueuedMessage | null;
  attempts: number;
  marketing_limit_retries: number;
  traceparent: string | null;
  claim_epoch: string;
}

/**
 * The fence of a claimed send's writes, given the parameter of the claim's epoch: null (a webhook's
 * write, not a claim's) changes the send whatever its state; an epoch, only while the send is still
 * that claim's (`sending`, not claimed since). A replica that froze past its claim (the send since
 * resolved `unknown` or `expired` and reported `failed`, or claimed again) then changes nothing.
 */
const stillClaimed = (epoch: string) => `(${epoch}::bigint IS NULL OR (state = 'sending' AND claim_epoch = ${epoch}::bigint))`;

/** Final refusal: nothing more is tried (the last part of a statement; $1 the decision, $2 the error code, `epoch` the claim's). */
const reject = (epoch: string) =>
  `UPDATE dispatch SET state = 'rejected', error_code = $2, updated_at = now() WHERE decision_id = $1 AND ${stillClaimed(epoch)}
   RETURNING decision_id`;

/** What `record` did: whether it changed the send (false: a claim's answer fenced off), and when a pause ends. */
export interface Recorded {
  written: boolean;
  pausedUntil?: Date;
}

/** Whether an UPDATE ... RETURNING changed a row. */
const changed = (result: unknown): boolean => returnedRows<unknown>(result).length > 0;

const COLUMNS =
  'decision_id, person_id, business_id, campaign_id, phone_number_id, kind, message, attempts, marketing_limit_retries, traceparent, claim_epoch';

/**
 * The statement parts of `rememberNumbers`, given the parameters of the numbers and of their
 * businesses. Both parts see the statement's snapshot: a number is either inserted (new) or
 * updated (known as another business's).
 */
function rememberNumbersCtes(ids: string, businesses: string): string {
  return `added_numbers AS (
    INSERT INTO business_phone_number (phone_number_id, business_id) SELECT * FROM unnest(${ids}::text[], ${businesses}::text[])
    ON CONFLICT (phone_number_id) DO NOTHING
  ), moved_numbers AS (
    UPDATE business_phone_number b SET business_id = n.business
    FROM unnest(${ids}::text[], ${businesses}::text[]) AS n(id, business)
    WHERE b.phone_number_id = n.id AND b.business_id <> n.business
  )`;
}

/** In key order: two statements changing the same numbers in different orders could deadlock. */
function numberColumns(numbers: ReadonlyMap<string, string>): { ids: string[]; businesses: string[] } {
  const ids = [...numbers.keys()].sort();
  return { ids, businesses: ids.map((id) => numbers.get(id) ?? '') };
}

function toRow(raw: RawRow): LedgerRow {
  return {
    decisionId: raw.decision_id,
    personId: raw.person_id,
    businessId: raw.business_id,
    campaignId: raw.campaign_id,
    phoneNumberId: raw.phone_number_id,
    kind: raw.kind,
    message: raw.message,
    attempts: raw.attempts,
    marketingLimitRetries: raw.marketing_limit_retries,
    traceparent: raw.traceparent,
    claimEpoch: String(raw.claim_epoch),
  };
}

/** Which numbers a claim may take sends of (those whose send lease this replica holds), and how many of each. */
export interface ClaimScope {
  numbers: readonly string[];
  /** Sends per number at most, where it differs from the claim's `perNumber` (a faster number). */
  caps: ReadonlyMap<string, number>;
  /** The portfolio messaging limit's rolling window; unset: not enforced. */
  portfolioWindowMs?: number;
  /**
   * This replica's send lease holder (`SendLease.holder`): a number's sends are claimed only while
   * its lease, in `send_lease`, is this holder's and lasts (checked in the claim's statements, by the
   * database's clock): a replica that froze between taking its leases and claiming claims nothing.
   */
  holder?: string;
}

export interface Claimed {
  /** Now `sending`: this replica calls Meta for each, once. */
  sending: LedgerRow[];
  /** Now `skipped`: the person is marked unreachable (131026). */
  skipped: LedgerRow[];
  /** Held for the first time over their portfolio's messaging limit (still `pending`, deferred). */
  held?: LedgerRow[];
}

/**
 * The dispatch ledger and send queue, one row per decision (or assistant reply), explicit states:
 *   pending  → waiting for its time (`next_attempt_at`): new, or a retry scheduled after an error
 *   sending  → claimed by one replica, which calls Meta once; written before the call
 *   accepted → Meta returned a wamid, or a status webhook proved it took the message
 *   rejected → final refusal (error_code), nothing more is tried
 *   unknown  → no answer, or the replica died mid-call: never resent; the webhook resolves it
 *   expired  → still unknown after UNKNOWN_RESOLVE_MS: reported failed, never resent
 *   skipped  → not sent: the person is unreachable (131026)
 * Every transition is a conditional UPDATE, so two replicas never both send one row.
 */
@Injectable()
export class DispatchLedger {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Adds sends as `pending`; a decision id already known is ignored (redelivered decision). One
   * statement (atomic on its own, one round trip): the rows, and which business each number
   * belongs to (see `rememberNumbers`).
   */
  async enqueue(sends: readonly QueuedSend[]): Promise<number> {
    if (sends.length === 0) return 0;
    const numbers = numberColumns(new Map(sends.map((s) => [s.phoneNumberId, s.businessId])));
    const rows = (await this.dataSource.query(
      `WITH inserted AS (
         INSERT INTO dispatch (decision_id, person_id, business_id, campaign_id, phone_number_id, kind, message, traceparent, state)
         SELECT d.id, d.person, d.business, d.campaign, d.phone, d.kind, d.message, d.traceparent, 'pending'
         FROM unnest($1::text[], $2::char(64)[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[])
           AS d(id, person, business, campaign, phone, kind, message, traceparent)
         ON CONFLICT (decision_id) DO NOTHING
         RETURNING 1
       ), ${rememberNumbersCtes('$9', '$10')}
       SELECT count(*)::int AS inserted FROM inserted`,
      [
        sends.map((s) => s.decisionId),
        sends.map((s) => s.personId),
        sends.map((s) => s.businessId),
        sends.map((s) => s.campaignId),
        sends.map((s) => s.phoneNumberId),
        sends.map((s) => s.message.kind),
        sends.map((s) => JSON.stringify(s.message)),
        sends.map((s) => s.traceparent ?? null),
        numbers.ids,
        numbers.businesses,
      ],
    )) as { inserted: number }[];
    return rows[0]?.inserted ?? 0;
  }

  /**
   * Which business a phone number belongs to (from campaigns and sends): a new number is added, a
   * number whose business changed is updated. A number already known as the same business's is
   * neither written nor locked, so concurrent batches naming the same numbers do not wait on each
   * other (an upsert would lock every row it names until its transaction ends).
   */
  async rememberNumbers(manager: EntityManager, numbers: ReadonlyMap<string, string>): Promise<void> {
    if (numbers.size === 0) return;
    const { ids, businesses } = numberColumns(numbers);
    await manager.query(`WITH ${rememberNumbersCtes('$1', '$2')} SELECT 1`, [ids, businesses]);
  }

  async businessOf(manager: EntityManager, phoneNumberId: string): Promise<string | undefined> {
    const rows = (await manager.query(`SELECT business_id FROM business_phone_number WHERE phone_number_id = $1`, [phoneNumberId])) as {
      business_id: string;
    }[];
    return rows[0]?.business_id;
  }

  /**
   * Claims up to `limit` due sends for this replica: skips halted sending and paused businesses
   * (campaign templates only), marks sends to unreachable people `skipped`, keeps one send per
   * person and number per `pairIntervalMs` (the others wait for their turn), and moves the rest
   * to `sending`. One transaction, rows locked with SKIP LOCKED: replicas never claim the same row.
   */
  /**
   * Claims up to `limit` due sends, at most `perNumber` of them per business phone number (so that
   * one busy number does not take every slot of a claim from the others), none for the numbers in
   * `skipNumbers` (this replica already holds enough of theirs).
   */
  async claimDue(
    limit: number,
    perNumber: number,
    pairIntervalMs: number,
    tokenFingerprint: string,
    skipNumbers: readonly string[] = [],
    scope?: ClaimScope,
  ): Promise<Claimed> {
    const capIds = scope ? [...scope.caps.keys()] : [];
    return this.dataSource.transaction(async (manager) => {
      // Per number, its earliest due sends up to its cap, each number read through its own index
      // range (dispatch_due_by_number): a claim reads what it takes, not every pending row (the
      // whole backlog was ranked at each claim round, and a round came every few tens of ms).
      const due = (await manager.query(
        `SELECT ${COLUMNS}, EXISTS (SELECT 1 FROM unreachable_recipient u WHERE u.person_id = d.person_id AND u.until > now()) AS unreachable
         FROM dispatch d
         WHERE d.decision_id IN (
           SELECT c.decision_id
           FROM (
             SELECT ids.id, COALESCE(k.cap, $3) AS cap
             FROM (SELECT unnest($5::text[]) AS id WHERE $5::text[] IS NOT NULL
                   UNION ALL SELECT b.phone_number_id FROM business_phone_number b WHERE $5::text[] IS NULL) AS ids
             LEFT JOIN unnest($6::text[], $7::int[]) AS k(id, cap) ON k.id = ids.id
             WHERE ids.id <> ALL($4::text[])
               AND ($8::text IS NULL OR EXISTS (
                 SELECT 1 FROM send_lease l WHERE l.phone_number_id = ids.id AND l.holder = $8 AND l.until > clock_timestamp()))
           ) AS n
           CROSS JOIN LATERAL (
             SELECT c.decision_id, c.next_attempt_at FROM dispatch c
             WHERE c.phone_number_id = n.id AND c.state = 'pending' AND c.next_attempt_at <= now()
               AND NOT EXISTS (SELECT 1 FROM sending_halt h WHERE h.token_fingerprint = $2)
               AND (c.kind = 'text' OR NOT EXISTS (SELECT 1 FROM business_pause p WHERE p.business_id = c.business_id AND p.until > now()))
               -- A template Meta paused or disabled waits (message_template_status_update), not sent to be refused.
               AND (c.kind = 'text' OR NOT EXISTS (
                 SELECT 1 FROM template_state t JOIN phone_number_state s ON s.waba_id = t.waba_id
                 WHERE s.phone_number_id = c.phone_number_id AND t.template_name = c.message->>'templateName'
                   AND t.language = c.message->>'language' AND t.status IN ('PAUSED', 'DISABLED')))
             ORDER BY c.next_attempt_at
             LIMIT n.cap
           ) AS c
           ORDER BY c.next_attempt_at
           LIMIT $1)
           AND d.state = 'pending'
         ORDER BY d.next_attempt_at
         FOR UPDATE SKIP LOCKED`,
        [
          limit,
          tokenFingerprint,
          perNumber,
          skipNumbers,
          scope ? [...scope.numbers] : null,
          capIds,
          capIds.map((id) => scope?.caps.get(id) ?? perNumber),
          scope?.holder ?? null,
        ],
      )) as (RawRow & { unreachable: boolean })[];
      if (due.length === 0) return { sending: [], skipped: [] };

      const skipped = due.filter((r) => r.unreachable);
      if (skipped.length > 0) {
        await manager.query(
          `UPDATE dispatch SET state = 'skipped', error_code = 131026, updated_at = now() WHERE decision_id = ANY($1::text[])`,
          [skipped.map((r) => r.decision_id)],
        );
      }
      // One per (number, person) in this batch; the pair pace then decides across batches and replicas.
      const firstOfPair = new Map<string, RawRow>();
      for (const row of due)
        if (!row.unreachable && !firstOfPair.has(`${row.phone_number_id}:${row.person_id}`))
          firstOfPair.set(`${row.phone_number_id}:${row.person_id}`, row);
      let candidates = [...firstOfPair.values()];
      // The business portfolio's messaging limit, before anything else is spent on these sends.
      let newlyHeld: RawRow[] = [];
      let overLimit = new Set<string>();
      if (scope?.portfolioWindowMs !== undefined && candidates.length > 0) {
        const { over, newlyHeld: ids } = await PortfolioLimits.admit(manager, candidates, scope.portfolioWindowMs);
        const firstTime = new Set(ids);
        newlyHeld = candidates.filter((r) => firstTime.has(r.decision_id));
        candidates = candidates.filter((r) => !over.has(r.decision_id));
        overLimit = over;
      }
      let paced = new Set(candidates.map((r) => r.decision_id));
      if (pairIntervalMs > 0 && candidates.length > 0) {
        const won = returnedRows<{ phone_number_id: string; person_id: string }>(
          await manager.query(
            `INSERT INTO recipient_pace (phone_number_id, person_id, next_at)
             SELECT p, r, now() + $3 * interval '1 millisecond' FROM unnest($1::text[], $2::char(64)[]) AS t(p, r)
             ON CONFLICT (phone_number_id, person_id) DO UPDATE SET next_at = EXCLUDED.next_at
             WHERE recipient_pace.next_at <= now()
             RETURNING phone_number_id, person_id`,
            [candidates.map((r) => r.phone_number_id), candidates.map((r) => r.person_id), pairIntervalMs],
          ),
        );
        const wonPairs = new Set(won.map((w) => `${w.phone_number_id}:${w.person_id}`));
        paced = new Set(candidates.filter((r) => wonPairs.has(`${r.phone_number_id}:${r.person_id}`)).map((r) => r.decision_id));
      }
      const waiting = due.filter((r) => !r.unreachable && !paced.has(r.decision_id) && !overLimit.has(r.decision_id));
      if (waiting.length > 0) {
        // Not this person's turn yet: try again when their pace allows.
        await manager.query(
          `UPDATE dispatch d SET next_attempt_at = GREATEST(now() + interval '50 milliseconds', COALESCE(
             (SELECT next_at FROM recipient_pace rp WHERE rp.phone_number_id = d.phone_number_id AND rp.person_id = d.person_id), now()))
           WHERE decision_id = ANY($1::text[])`,
          [waiting.map((r) => r.decision_id)],
        );
      }
      // The hand-over: each send to this claim, under a new epoch, while this replica's lease of its number lasts.
      const sending = returnedRows<RawRow>(
        await manager.query(
          `UPDATE dispatch d SET state = 'sending', attempts = attempts + 1, claim_epoch = claim_epoch + 1, claimed_at = now(),
             updated_at = now(), held_reason = NULL
           WHERE decision_id = ANY($1::text[]) AND state = 'pending'
             AND ($2::text IS NULL OR EXISTS (
               SELECT 1 FROM send_lease l WHERE l.phone_number_id = d.phone_number_id AND l.holder = $2 AND l.until > clock_timestamp()))
           RETURNING ${COLUMNS}`,
          [[...paced], scope?.holder ?? null],
        ),
      );
      return { sending: sending.map(toRow), skipped: skipped.map(toRow), held: newlyHeld.map(toRow) };
    });
  }

  /**
   * Meta accepted these sends (one statement for many). The status webhook may have come first
   * (and set the wamid): what it wrote is kept.
   */
  async acceptedMany(sends: readonly { decisionId: string; wamid: string }[]): Promise<void> {
    if (sends.length === 0) return;
    // A template's recipient, counted in its portfolio's window from this claim, counts from Meta's
    // acceptance instead (later): Meta's rolling window starts there, so the place frees no earlier.
    await this.dataSource.query(
      `WITH done AS (
         UPDATE dispatch d SET state = 'accepted', wamid = COALESCE(d.wamid, a.wamid), updated_at = now()
         FROM unnest($1::text[], $2::text[]) AS a(id, wamid)
         WHERE d.decision_id = a.id AND d.state IN ('sending', 'unknown', 'expired', 'accepted')
         RETURNING d.business_id, d.person_id, d.kind, d.claimed_at
       )
       UPDATE portfolio_recipient r SET first_at = now()
       FROM (SELECT DISTINCT ON (business_id, person_id) business_id, person_id, claimed_at FROM done
             WHERE kind = 'template' AND claimed_at IS NOT NULL ORDER BY business_id, person_id, claimed_at) AS t
       WHERE r.business_id = t.business_id AND r.person_id = t.person_id AND r.first_at >= t.claimed_at AND r.first_at < now()`,
      [sends.map((s) => s.decisionId), sends.map((s) => s.wamid)],
    );
  }

  /**
   * Claimed sends this replica will not call Meta for (it is stopping, or lost the number's lease):
   * back to `pending` as if never claimed (their epoch stays spent). Only for sends whose call was
   * certainly not made, and only while each is still the claim it names.
   */
  async release(claims: readonly Pick<LedgerRow, 'decisionId' | 'claimEpoch'>[]): Promise<void> {
    if (claims.length === 0) return;
    await this.dataSource.query(
      `UPDATE dispatch d SET state = 'pending', attempts = GREATEST(attempts - 1, 0), claimed_at = NULL, updated_at = now()
       FROM unnest($1::text[], $2::bigint[]) AS c(id, epoch)
       WHERE d.decision_id = c.id AND d.state = 'sending' AND d.claim_epoch = c.epoch`,
      [claims.map((c) => c.decisionId), claims.map((c) => c.claimEpoch)],
    );
  }

  /**
   * Records what a send's answer does to it (`SendOutcome`, decided by `outcomeOf`) in one
   * statement: atomic and one round trip, in the caller's transaction when `manager` is given (the
   * webhook's). `claim`: the sender's answer to its claim, written only while the send is still that
   * claim (`stillClaimed`); without it (a webhook's status), whatever the send's state. What the
   * answer says of others (a person unreachable, a business paused) is written either way: it is
   * Meta's. Returns whether the send was changed (false: the claim was fenced off), and when the
   * business's campaign pause ends, for `pause-campaigns`.
   */
  async record(
    row: LedgerRow,
    outcome: RecordedOutcome,
    scope: { tokenFingerprint: string; portfolioWindowMs: number },
    manager: EntityManager = this.dataSource.manager,
    claim?: string,
  ): Promise<Recorded> {
    const id = row.decisionId;
    const epoch = claim ?? null;
    switch (outcome.action) {
      case 'in-doubt':
        // Meta may have it: never resent; its status webhook (or the timeout resolution) settles it.
        return {
          written: changed(
            await manager.query(
              `UPDATE dispatch SET state = 'unknown', updated_at = now()
               WHERE decision_id = $1 AND state = 'sending' AND ${stillClaimed('$2')} RETURNING decision_id`,
              [id, epoch],
            ),
          ),
        };
      case 'drop':
        // No call was made: the recipient this claim counted in its portfolio's window is not counted any more (Meta never saw them).
        return {
          written: changed(
            await manager.query(
              `WITH given_back AS (
             DELETE FROM portfolio_recipient r USING dispatch d
             WHERE d.decision_id = $1 AND d.state = 'sending' AND r.business_id = d.business_id AND r.person_id = d.person_id
               AND d.claimed_at IS NOT NULL AND r.first_at >= d.claimed_at
               AND ($3::bigint IS NULL OR d.claim_epoch = $3::bigint)
           )
           ${reject('$3')}`,
              [id, outcome.code, epoch],
            ),
          ),
        };
      case 'later':
        return { written: (await this.retry(manager, id, epoch, outcome.code, outcome.delayMs, false)).length > 0 };
      case 'wait-for-template': {
        // Recorded as paused or disabled for the number's account (a disabled one stays so); the send waits for it.
        const template = row.message?.kind === 'template' ? row.message : undefined;
        const rows = await this.retry(
          manager,
          id,
          epoch,
          outcome.code,
          1000,
          false,
          template && {
            cte: `paused AS (
              INSERT INTO template_state (waba_id, template_name, language, status, reason)
              SELECT waba_id, $6, $7, $8, $9 FROM phone_number_state WHERE phone_number_id = $5 AND waba_id IS NOT NULL
              ON CONFLICT (waba_id, template_name, language) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
              WHERE template_state.status IS DISTINCT FROM 'DISABLED'
            )`,
            params: [
              row.phoneNumberId,
              template.templateName,
              template.language,
              outcome.templateStatus,
              `refused by Meta (${outcome.code})`,
            ],
          },
        );
        return { written: rows.length > 0 };
      }
      case 'hold-for-portfolio':
        // Back to `pending` with the reason, not counted as an attempt, until the oldest recipient
        // counted in the portfolio's window leaves it (at least a second from now).
        return {
          written: changed(
            await manager.query(
              `UPDATE dispatch d SET state = 'pending', held_reason = $3, error_code = $2, attempts = GREATEST(attempts - 1, 0),
             claimed_at = NULL, updated_at = now(),
             next_attempt_at = GREATEST(now() + interval '1 second', COALESCE((
               SELECT min(first_at) + $4 * interval '1 millisecond' FROM portfolio_recipient r
               WHERE r.business_id = d.business_id AND r.first_at > now() - $4 * interval '1 millisecond'), now() + interval '1 second'))
           WHERE decision_id = $1 AND state = 'sending' AND ${stillClaimed('$5')}
           RETURNING decision_id`,
              [id, outcome.code, PORTFOLIO_LIMIT_REASON, scope.portfolioWindowMs, epoch],
            ),
          ),
        };
      case 'refused':
        return this.refused(manager, row, epoch, outcome.code, outcome.consequence, outcome.title, scope.tokenFingerprint);
    }
  }

  /** A refusal's consequence (`consequenceOf`), with what it writes beside the send in the same statement. */
  private async refused(
    manager: EntityManager,
    row: LedgerRow,
    epoch: string | null,
    code: number | null,
    consequence: SendConsequence,
    title: string,
    tokenFingerprint: string,
  ): Promise<Recorded> {
    const id = row.decisionId;
    switch (consequence.action) {
      case 'retry':
        return { written: (await this.retry(manager, id, epoch, code, consequence.delayMs, consequence.marketingLimit)).length > 0 };
      case 'give-up':
      case 'revoke-consent':
        return { written: changed(await manager.query(reject('$3'), [id, code, epoch])) };
      case 'mark-unreachable':
        return {
          written: changed(
            await manager.query(
              `WITH unreachable AS (
             INSERT INTO unreachable_recipient (person_id, until, error_code) VALUES ($3, now() + $4 * interval '1 millisecond', $5)
             ON CONFLICT (person_id) DO UPDATE SET until = EXCLUDED.until, error_code = EXCLUDED.error_code
           )
           ${reject('$6')}`,
              [id, code, row.personId, consequence.forMs, code ?? 131026, epoch],
            ),
          ),
        };
      case 'pause-campaigns': {
        // The message waits for the end of the pause (not counted as an attempt against it): both end at now() + forMs.
        const rows = await this.retry(manager, id, epoch, code, consequence.forMs, false, {
          cte: `pause AS (
            INSERT INTO business_pause (business_id, until, error_code) VALUES ($5, now() + $3 * interval '1 millisecond', $6)
            ON CONFLICT (business_id) DO UPDATE SET until = EXCLUDED.until, error_code = EXCLUDED.error_code
          )`,
          params: [row.businessId, code ?? 131048],
        });
        return { written: rows.length > 0, pausedUntil: rows[0]?.next_attempt_at ?? new Date(Date.now() + consequence.forMs) };
      }
      case 'halt-sending': {
        // The message is not lost: it is sent once sending resumes (a new access token).
        const rows = await this.retry(manager, id, epoch, code, 0, false, {
          cte: `halt AS (
            INSERT INTO sending_halt (token_fingerprint, error_code, reason) VALUES ($5, $6, $7) ON CONFLICT (token_fingerprint) DO NOTHING
          )`,
          params: [tokenFingerprint, code ?? 190, title],
        });
        return { written: rows.length > 0 };
      }
    }
  }

  /**
   * Back to `pending`, to be tried again after `delayMs` (a fresh message: new wamid, statuses from
   * scratch), with `also` (a statement part whose parameters start at $5) in the same statement. The
   * failed attempt's wamid is retired: a late or redelivered status of that attempt must never be
   * taken for the next one's (see `recordStatus`). Both parts see the row as it was before. With a
   * claim's `epoch`, only while the send is still that claim (`stillClaimed`).
   */
  private async retry(
    manager: EntityManager,
    decisionId: string,
    epoch: string | null,
    code: number | null,
    delayMs: number,
    marketingLimit: boolean,
    also?: { cte: string; params: unknown[] },
  ): Promise<{ next_attempt_at: Date }[]> {
    // After `also`'s parameters (which start at $5).
    const epochParam = 5 + (also?.params.length ?? 0);
    return returnedRows<{ next_attempt_at: Date }>(
      await manager.query(
        `WITH ${also ? `${also.cte}, ` : ''}retired AS (
           INSERT INTO webhook_seen (event_key) SELECT 'retired-wamid:' || wamid FROM dispatch
           WHERE decision_id = $1 AND wamid IS NOT NULL AND ${stillClaimed(`$${epochParam}`)}
           ON CONFLICT DO NOTHING
         )
         UPDATE dispatch SET state = 'pending', next_attempt_at = now() + $3 * interval '1 millisecond', error_code = $2,
           wamid = NULL, statuses = '{}', claimed_at = NULL,
           marketing_limit_retries = marketing_limit_retries + CASE WHEN $4 THEN 1 ELSE 0 END, updated_at = now()
         WHERE decision_id = $1 AND ${stillClaimed(`$${epochParam}`)}
         RETURNING next_attempt_at`,
        [decisionId, code, delayMs, marketingLimit, ...(also?.params ?? []), epoch],
      ),
    );
  }

  /**
   * Timeout resolution. A `sending` row older than the call timeout (plus a margin) belongs to a
   * replica that died mid-send: Meta may have the message, so it becomes `unknown`. An `unknown`
   * row that no webhook resolved within `resolveMs` becomes `expired`, returned for reporting.
   */
  async resolveTimeouts(callTimeoutMs: number, resolveMs: number): Promise<LedgerRow[]> {
    await this.dataSource.query(
      `UPDATE dispatch SET state = 'unknown', updated_at = now()
       WHERE state = 'sending' AND claimed_at < now() - $1 * interval '1 millisecond'`,
      [callTimeoutMs],
    );
    const expired = returnedRows<RawRow>(
      await this.dataSource.query(
        `UPDATE dispatch SET state = 'expired', updated_at = now()
         WHERE state = 'unknown' AND updated_at < now() - $1 * interval '1 millisecond'
         RETURNING ${COLUMNS}`,
        [resolveMs],
      ),
    );
    return expired.map(toRow);
  }

  /**
   * Records a webhook status, in the caller's transaction. Finds the message by wamid, or, for a
   * send still in doubt (`sending`, `unknown`, `expired` without a wamid), by the decision id Meta
   * echoes in `biz_opaque_callback_data`: that proves Meta accepted it, unless the wamid is one of
   * an earlier attempt of the decision, retired by `retry` (its late or redelivered status says
   * nothing about the attempt in doubt). Returns the row if this status is new for the message,
   * undefined for a redelivery, a retired attempt or an unknown message.
   */
  async recordStatus(
    manager: EntityManager,
    wamid: string,
    decisionId: string | undefined,
    status: string,
    errorCode?: number,
  ): Promise<LedgerRow | undefined> {
    const rows = returnedRows<RawRow>(
      await manager.query(
        `UPDATE dispatch SET
           statuses = array_append(statuses, $3),
           wamid = COALESCE(wamid, $1),
           state = CASE WHEN state IN ('sending', 'unknown', 'expired') THEN 'accepted' ELSE state END,
           error_code = COALESCE($4, error_code),
           updated_at = now()
         WHERE (wamid = $1 OR ($2::text IS NOT NULL AND decision_id = $2 AND wamid IS NULL AND state IN ('sending', 'unknown', 'expired')
                                AND NOT EXISTS (SELECT 1 FROM webhook_seen s WHERE s.event_key = 'retired-wamid:' || $1)))
           AND NOT ($3 = ANY(statuses))
         RETURNING ${COLUMNS}`,
        [wamid, decisionId ?? null, status, errorCode ?? null],
      ),
    );
    return rows[0] && toRow(rows[0]);
  }

  /**
   * Whether a status's message is one this platform sent: its wamid is (or was, for an attempt
   * retired by a retry) a send's, or its decision id names one. False: the status matches nothing.
   */
  async knowsMessage(manager: EntityManager, wamid: string, decisionId: string | undefined): Promise<boolean> {
    const rows = (await manager.query(
      `SELECT EXISTS (SELECT 1 FROM dispatch WHERE wamid = $1 OR ($2::text IS NOT NULL AND decision_id = $2))
           OR EXISTS (SELECT 1 FROM webhook_seen WHERE event_key = 'retired-wamid:' || $1) AS known`,
      [wamid, decisionId ?? null],
    )) as { known: boolean }[];
    return rows[0]?.known === true;
  }

  /** Records that a webhook event was handled; false if it was already (a redelivery). In the caller's transaction. */
  async firstTime(manager: EntityManager, eventKey: string): Promise<boolean> {
    const rows = (await manager.query(`INSERT INTO webhook_seen (event_key) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_key`, [
      eventKey,
    ])) as unknown[];
    return rows.length > 0;
  }
}
