import { Injectable } from '@nestjs/common';
import { returnedRows } from '@wt/database';
import { DataSource, type EntityManager } from 'typeorm';
import { PORTFOLIO_LIMIT_REASON, PortfolioLimits } from './portfolio-limits';

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
  /** The fencing token of this replica's claim (a new one for every claim); absent on rows not claimed. */
  claimToken?: string | null;
}

/** A claimed send as the hand-over names it: its id and its claim's token. */
export interface ClaimRef {
  decisionId: string;
  claimToken?: string | null;
}

/** What the hand-over to the call did with each claimed send. */
export interface HandOver {
  /** Handed over: this replica calls WhatsApp for each, once, before its lease runs out. */
  called: string[];
  /** Still this replica's claim, but the person's pair pace is not due: back to `pending`, not called. */
  paced: string[];
  /** The claim is no longer this replica's (its lease ran out and another took it, or it was settled): nothing is done. */
  fenced: string[];
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
  claim_token: string | null;
}

const COLUMNS =
  'decision_id, person_id, business_id, campaign_id, phone_number_id, kind, message, attempts, marketing_limit_retries, traceparent, claim_token';

/** How long a claim stays this replica's before any replica may take it back, unless told otherwise. */
export const DEFAULT_CLAIM_LEASE_MS = 15_000;

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
    claimToken: raw.claim_token,
  };
}

/** Which numbers a claim may take sends of (those whose send lease this replica holds), and how many of each. */
export interface ClaimScope {
  numbers: readonly string[];
  /** Sends per number at most, where it differs from the claim's `perNumber` (a faster number). */
  caps: ReadonlyMap<string, number>;
  /** The portfolio messaging limit's rolling window; unset: not enforced. */
  portfolioWindowMs?: number;
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
 *
 * Fencing: a claim carries a token (new for every claim) and a lease. `handOver`, right before the
 * call, names the token and needs the lease alive; it stamps `called_at` and gives the call a lease
 * of its own. A lease that runs out is taken back by any replica (`resolveTimeouts`): to `pending`
 * if the send was never handed to a call, to `unknown` if it was. So a replica that froze (a GC
 * pause, a stopped VM) past its lease wakes up to find its token gone, and calls nothing.
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
    leaseMs: number = DEFAULT_CLAIM_LEASE_MS,
  ): Promise<Claimed> {
    const capIds = scope ? [...scope.caps.keys()] : [];
    return this.dataSource.transaction(async (manager) => {
      // FOR UPDATE cannot sit beside a window function: rank the due rows first, then lock them.
      const due = (await manager.query(
        `SELECT ${COLUMNS}, EXISTS (SELECT 1 FROM unreachable_recipient u WHERE u.person_id = d.person_id AND u.until > now()) AS unreachable
         FROM dispatch d
         WHERE d.decision_id IN (
           SELECT ranked.decision_id FROM (
             SELECT c.decision_id, c.next_attempt_at, c.phone_number_id,
                    row_number() OVER (PARTITION BY c.phone_number_id ORDER BY c.next_attempt_at) AS nth
             FROM dispatch c
             WHERE c.state = 'pending' AND c.next_attempt_at <= now()
               AND NOT EXISTS (SELECT 1 FROM sending_halt h WHERE h.token_fingerprint = $2)
               AND (c.kind = 'text' OR NOT EXISTS (SELECT 1 FROM business_pause p WHERE p.business_id = c.business_id AND p.until > now()))
               -- A template Meta paused or disabled waits (message_template_status_update), not sent to be refused.
               AND (c.kind = 'text' OR NOT EXISTS (
                 SELECT 1 FROM template_state t JOIN phone_number_state n ON n.waba_id = t.waba_id
                 WHERE n.phone_number_id = c.phone_number_id AND t.template_name = c.message->>'templateName'
                   AND t.language = c.message->>'language' AND t.status IN ('PAUSED', 'DISABLED')))
               AND c.phone_number_id <> ALL($4::text[])
               AND ($5::text[] IS NULL OR c.phone_number_id = ANY($5::text[]))
           ) ranked
           WHERE ranked.nth <= COALESCE((SELECT k.cap FROM unnest($6::text[], $7::int[]) AS k(id, cap) WHERE k.id = ranked.phone_number_id), $3)
           ORDER BY ranked.next_attempt_at
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
      const sending = returnedRows<RawRow>(
        await manager.query(
          `UPDATE dispatch SET state = 'sending', attempts = attempts + 1, claimed_at = now(), updated_at = now(), held_reason = NULL,
             claim_token = nextval('dispatch_claim_token'), lease_until = now() + $2 * interval '1 millisecond', called_at = NULL
           WHERE decision_id = ANY($1::text[]) AND state = 'pending'
           RETURNING ${COLUMNS}`,
          [[...paced], leaseMs],
        ),
      );
      return { sending: sending.map(toRow), skipped: skipped.map(toRow), held: newlyHeld.map(toRow) };
    });
  }

  async accepted(decisionId: string, wamid: string): Promise<void> {
    // The status webhook may have come first (and set the wamid): keep what it wrote.
    await this.dataSource.query(
      `UPDATE dispatch SET state = 'accepted', wamid = COALESCE(wamid, $2), updated_at = now()
       WHERE decision_id = $1 AND state IN ('sending', 'unknown', 'expired', 'accepted')`,
      [decisionId, wamid],
    );
  }

  /** `accepted` for many sends at once (one statement); the same rules as `accepted`. */
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
   * Claimed sends this replica will not call Meta for (it is stopping, or another replica holds
   * their number now): back to `pending` as if never claimed, handed over or not. Only for sends
   * whose call was certainly not made; a claim no longer this replica's (another token) is left alone.
   */
  async release(claims: readonly ClaimRef[]): Promise<void> {
    if (claims.length === 0) return;
    await this.dataSource.query(
      `UPDATE dispatch d SET state = 'pending', attempts = GREATEST(attempts - 1, 0), claimed_at = NULL, updated_at = now(),
         claim_token = NULL, lease_until = NULL, called_at = NULL
       FROM unnest($1::text[], $2::bigint[]) AS c(id, token)
       WHERE d.decision_id = c.id AND d.claim_token IS NOT DISTINCT FROM c.token AND d.state = 'sending'`,
      [claims.map((c) => c.decisionId), claims.map((c) => c.claimToken ?? null)],
    );
  }

  /**
   * The statement that hands claimed sends over to the call to WhatsApp, right before it: only a
   * claim that is still this replica's (its token, `sending`, lease alive, not handed over yet) is
   * handed over, at most one per person and number, and only if the pair's last hand-over is at
   * least `pairIntervalMs + callWindowMs` old (every replica's: `recipient_pace.called_at`). The
   * caller writes the request within `callWindowMs` of the hand-over or not at all, so two requests
   * to one person reach Meta at least `pairIntervalMs` apart. A hand-over gets a lease of
   * `callLeaseMs`: past it, the send is taken for `unknown`. Claims still this replica's whose pair
   * is not due go back to `pending`, due when the pair is; the others are fenced: nothing is done.
   */
  async handOver(claims: readonly ClaimRef[], pairIntervalMs: number, callWindowMs: number, callLeaseMs: number): Promise<HandOver> {
    if (claims.length === 0) return { called: [], paced: [], fenced: [] };
    const ids = claims.map((c) => c.decisionId);
    const tokens = claims.map((c) => c.claimToken ?? null);
    const called = returnedRows<{ decision_id: string }>(
      await this.dataSource.query(
        `WITH asked AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS a(id, token)),
         mine AS (
           SELECT DISTINCT ON (d.phone_number_id, d.person_id) d.decision_id, d.phone_number_id, d.person_id
           FROM dispatch d JOIN asked a ON d.decision_id = a.id AND d.claim_token IS NOT DISTINCT FROM a.token
           WHERE d.state = 'sending' AND d.called_at IS NULL AND d.lease_until > now()
           ORDER BY d.phone_number_id, d.person_id, d.decision_id
         ),
         paced AS (
           INSERT INTO recipient_pace (phone_number_id, person_id, next_at, called_at)
           SELECT m.phone_number_id, m.person_id, now(), now() FROM mine m WHERE $3::int > 0
           ON CONFLICT (phone_number_id, person_id) DO UPDATE SET called_at = now()
           WHERE recipient_pace.called_at IS NULL OR recipient_pace.called_at <= now() - ($3::int + $4::int) * interval '1 millisecond'
           RETURNING phone_number_id, person_id
         )
         UPDATE dispatch d SET called_at = now(), lease_until = now() + $5 * interval '1 millisecond', updated_at = now()
         FROM mine m, asked a
         WHERE d.decision_id = m.decision_id AND a.id = m.decision_id AND d.claim_token IS NOT DISTINCT FROM a.token
           AND d.state = 'sending' AND d.called_at IS NULL AND d.lease_until > now()
           AND ($3::int = 0 OR EXISTS (SELECT 1 FROM paced p WHERE p.phone_number_id = m.phone_number_id AND p.person_id = m.person_id))
         RETURNING d.decision_id`,
        [ids, tokens, pairIntervalMs, callWindowMs, callLeaseMs],
      ),
    ).map((r) => r.decision_id);
    if (called.length === claims.length) return { called, paced: [], fenced: [] };
    const handed = new Set(called);
    const rest = claims.filter((c) => !handed.has(c.decisionId));
    // Still ours but not handed over (the pair is not due, or a second send to the same pair): back to the queue.
    const paced = returnedRows<{ decision_id: string }>(
      await this.dataSource.query(
        `UPDATE dispatch d SET state = 'pending', attempts = GREATEST(d.attempts - 1, 0), claimed_at = NULL, updated_at = now(),
           claim_token = NULL, lease_until = NULL,
           next_attempt_at = GREATEST(now() + interval '50 milliseconds', COALESCE((SELECT rp.called_at FROM recipient_pace rp
             WHERE rp.phone_number_id = d.phone_number_id AND rp.person_id = d.person_id) + ($3::int + $4::int) * interval '1 millisecond', now()))
         FROM unnest($1::text[], $2::bigint[]) AS c(id, token)
         WHERE d.decision_id = c.id AND d.claim_token IS NOT DISTINCT FROM c.token AND d.state = 'sending' AND d.called_at IS NULL
           AND d.lease_until > now()
         RETURNING d.decision_id`,
        [rest.map((c) => c.decisionId), rest.map((c) => c.claimToken ?? null), pairIntervalMs, callWindowMs],
      ),
    ).map((r) => r.decision_id);
    const back = new Set(paced);
    return { called, paced, fenced: rest.filter((c) => !back.has(c.decisionId)).map((c) => c.decisionId) };
  }

  /**
   * Renews this replica's claims up to their booked slot plus `leaseMs` (a live replica keeps what
   * it holds while it waits for the slot, or books another); returns the ids still its own. A claim
   * whose lease already ran out, or that another replica took, is not renewed: it is dropped.
   */
  async renew(claims: readonly (ClaimRef & { until: number })[], leaseMs: number): Promise<string[]> {
    if (claims.length === 0) return [];
    return returnedRows<{ decision_id: string }>(
      await this.dataSource.query(
        `UPDATE dispatch d SET lease_until = GREATEST(d.lease_until, to_timestamp(c.until / 1000.0) + $4::int * interval '1 millisecond')
         FROM unnest($1::text[], $2::bigint[], $3::float8[]) AS c(id, token, until)
         WHERE d.decision_id = c.id AND d.claim_token IS NOT DISTINCT FROM c.token AND d.state = 'sending' AND d.called_at IS NULL
           AND d.lease_until > now()
         RETURNING d.decision_id`,
        [claims.map((c) => c.decisionId), claims.map((c) => c.claimToken ?? null), claims.map((c) => c.until), leaseMs],
      ),
    ).map((r) => r.decision_id);
  }

  /**
   * A handed-over send whose request was not written after all (it came too late for its slot, or
   * the admission guard held it): still this replica's claim, it may be handed over again. The pair
   * pace its hand-over stamped is given back too, or the next hand-over would wait PAIR_INTERVAL_MS
   * for a call that was never made: set to the latest moment the pair's previous call can have been
   * made (its hand-over passed only that long after it), so no call made counts any less. A claim
   * taken meanwhile is left alone.
   */
  async unhand(claims: readonly ClaimRef[], leaseMs: number, pairIntervalMs: number, callWindowMs: number): Promise<void> {
    if (claims.length === 0) return;
    await this.dataSource.query(
      `WITH asked AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS c(id, token)),
       handed AS (
         SELECT d.phone_number_id, d.person_id, d.called_at FROM dispatch d JOIN asked c ON d.decision_id = c.id
         WHERE d.claim_token IS NOT DISTINCT FROM c.token AND d.state = 'sending' AND d.called_at IS NOT NULL
       ),
       given_back AS (
         UPDATE recipient_pace rp SET called_at = h.called_at - ($4::int + $5::int) * interval '1 millisecond'
         FROM handed h
         WHERE rp.phone_number_id = h.phone_number_id AND rp.person_id = h.person_id AND rp.called_at = h.called_at
       )
       UPDATE dispatch d SET called_at = NULL, lease_until = now() + $3 * interval '1 millisecond', updated_at = now()
       FROM asked c
       WHERE d.decision_id = c.id AND d.claim_token IS NOT DISTINCT FROM c.token AND d.state = 'sending'`,
      [claims.map((c) => c.decisionId), claims.map((c) => c.claimToken ?? null), leaseMs, pairIntervalMs, callWindowMs],
    );
  }

  /**
   * Refused by Meta over the portfolio's messaging limit: back to `pending` with the reason, not
   * counted as an attempt, until the oldest recipient counted in the portfolio's window leaves it
   * (at least a second from now).
   */
  async heldOverPortfolioLimit(decisionId: string, windowMs: number, code: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE dispatch d SET state = 'pending', held_reason = $3, error_code = $4, attempts = GREATEST(attempts - 1, 0),
         claimed_at = NULL, updated_at = now(),
         next_attempt_at = GREATEST(now() + interval '1 second', COALESCE((
           SELECT min(first_at) + $2 * interval '1 millisecond' FROM portfolio_recipient r
           WHERE r.business_id = d.business_id AND r.first_at > now() - $2 * interval '1 millisecond'), now() + interval '1 second'))
       WHERE decision_id = $1 AND state = 'sending'`,
      [decisionId, windowMs, PORTFOLIO_LIMIT_REASON, code],
    );
  }

  /**
   * Final, and no call was made (the contact does not open, a US marketing template): the recipient
   * this claim counted in its portfolio's window is not counted any more (Meta never saw them).
   */
  async rejectedUnsent(decisionId: string, code: number | null): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM portfolio_recipient r USING dispatch d
       WHERE d.decision_id = $1 AND d.state = 'sending' AND r.business_id = d.business_id AND r.person_id = d.person_id
         AND d.claimed_at IS NOT NULL AND r.first_at >= d.claimed_at`,
      [decisionId],
    );
    await this.rejected(decisionId, code);
  }

  /** Final refusal: nothing more is tried. */
  async rejected(decisionId: string, code: number | null, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(`UPDATE dispatch SET state = 'rejected', error_code = $2, updated_at = now() WHERE decision_id = $1`, [
      decisionId,
      code,
    ]);
  }

  /**
   * Back to `pending`, to be tried again after `delayMs` (a fresh message: new wamid, statuses from
   * scratch). The failed attempt's wamid is retired first: a late or redelivered status of that
   * attempt must never be taken for the next one's (see `recordStatus`).
   */
  async retry(
    decisionId: string,
    delayMs: number,
    code: number | null,
    marketingLimit: boolean,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO webhook_seen (event_key) SELECT 'retired-wamid:' || wamid FROM dispatch WHERE decision_id = $1 AND wamid IS NOT NULL
       ON CONFLICT DO NOTHING`,
      [decisionId],
    );
    await manager.query(
      `UPDATE dispatch SET state = 'pending', next_attempt_at = now() + $2 * interval '1 millisecond', error_code = $3,
         wamid = NULL, statuses = '{}', claimed_at = NULL, claim_token = NULL, lease_until = NULL, called_at = NULL,
         marketing_limit_retries = marketing_limit_retries + CASE WHEN $4 THEN 1 ELSE 0 END, updated_at = now()
       WHERE decision_id = $1`,
      [decisionId, delayMs, code, marketingLimit],
    );
  }

  async unknown(decisionId: string): Promise<void> {
    await this.dataSource.query(`UPDATE dispatch SET state = 'unknown', updated_at = now() WHERE decision_id = $1 AND state = 'sending'`, [
      decisionId,
    ]);
  }

  /**
   * Timeout resolution, by any replica. A `sending` row whose lease ran out belongs to a replica
   * that died or froze: never handed to a call, it goes back to `pending` (nothing reached Meta;
   * the old claim's token is void, so its replica, if it wakes, calls nothing); handed over, Meta
   * may have the message, so it becomes `unknown`. An `unknown` row that no webhook resolved within
   * `resolveMs` becomes `expired`, returned for reporting.
   */
  async resolveTimeouts(resolveMs: number): Promise<LedgerRow[]> {
    await this.dataSource.query(
      `UPDATE dispatch SET state = 'pending', attempts = GREATEST(attempts - 1, 0), claimed_at = NULL, updated_at = now(),
         claim_token = NULL, lease_until = NULL
       WHERE state = 'sending' AND called_at IS NULL AND lease_until < now()`,
    );
    await this.dataSource.query(
      `UPDATE dispatch SET state = 'unknown', updated_at = now()
       WHERE state = 'sending' AND called_at IS NOT NULL AND lease_until < now()`,
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
