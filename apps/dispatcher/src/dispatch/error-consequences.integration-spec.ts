import { type MessageStatusV1, Topic } from '@wt/contracts';
import { eventually, type TopicProbe } from '@wt/testing';
import { signWebhookBody } from '@wt/whatsapp';
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiSwitch, DispatcherTestBed } from '../testing/dispatcher-fixtures';

/** Small delays so that every consequence plays out in seconds (the defaults are seconds to days). */
const RETRY_BASE_MS = 400;
const RETRY_MAX_MS = 1000;
const MAX_ATTEMPTS = 6;
const MARKETING_LIMIT_RETRY_MS = 300;
const MARKETING_LIMIT_MAX_RETRIES = 2;
const CAMPAIGN_PAUSE_MS = 2500;
const UNKNOWN_RESOLVE_MS = 2000;

/**
 * Meta's error codes and their consequences (issue 5, point 3), each through a real send of the
 * built dispatcher to the real sandbox answering that code (its fault injection), on the real
 * broker and Postgres. Every outcome is read where the platform publishes it
 * (`whatsapp.message-status.v1`, `consent.v1`, `internal.whatsapp.business-signals.v1`) and where
 * it persists it (the ledger); the sandbox says what Meta received.
 */
describe('dispatcher: every WhatsApp error code has its consequence', () => {
  const run = randomUUID().slice(0, 8);
  const phoneNumberId = `5${Date.now()}`.slice(0, 15);
  let bed: DispatcherTestBed;
  let statuses: TopicProbe<Topic.WhatsappMessageStatusV1>;
  let consents: TopicProbe<Topic.ConsentV1>;
  let signals: TopicProbe<Topic.BusinessSendingSignalsV1>;
  let api: ApiSwitch;

  beforeAll(async () => {
    // The dispatcher calls the sandbox through a relay the tests can switch off (listening first, so its port is taken).
    api = new ApiSwitch(() => bed.stack.sandbox.port);
    await api.open();
    bed = await DispatcherTestBed.create(
      run,
      'consequences',
      {
        WHATSAPP_BASE_URL: api.url,
        PAIR_INTERVAL_MS: '0',
        SENDER_POLL_MS: '50',
        RETRY_BASE_MS: String(RETRY_BASE_MS),
        RETRY_MAX_MS: String(RETRY_MAX_MS),
        MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        MARKETING_LIMIT_RETRY_MS: String(MARKETING_LIMIT_RETRY_MS),
        MARKETING_LIMIT_MAX_RETRIES: String(MARKETING_LIMIT_MAX_RETRIES),
        UNREACHABLE_FOR_MS: '600000',
        CAMPAIGN_PAUSE_MS: String(CAMPAIGN_PAUSE_MS),
        UNKNOWN_RESOLVE_MS: String(UNKNOWN_RESOLVE_MS),
        WHATSAPP_TIMEOUT_MS: '800',
      },
      { SANDBOX_PAIR_INTERVAL_MS: '0', SANDBOX_READ_RATE: '0' },
    );
    [statuses, consents, signals] = await bed.start(Topic.WhatsappMessageStatusV1, Topic.ConsentV1, Topic.BusinessSendingSignalsV1);
  }, 120_000);

  afterAll(async () => {
    await bed?.stop();
    await api?.refuse();
  });

  /** What the platform published about one decision, in order (one key, one partition). */
  const statusesOf = (decisionId: string): MessageStatusV1[] =>
    statuses.records.filter((r) => r.value.decisionId === decisionId).map((r) => r.value);
  const waitStatus = (decisionId: string, predicate: (s: MessageStatusV1) => boolean, timeoutMs = 20_000) =>
    statuses.waitFor((s) => s.decisionId === decisionId && predicate(s), timeoutMs);

  /** The bounds of the n-th transient retry's delay: half to all of base·2^(n-1), capped. */
  const backoffBounds = (attempt: number): [number, number] => {
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
    return [ceiling / 2, ceiling];
  };
  const firstDelays: number[] = [];

  describe('throughput and transient errors: retried with exponential backoff and jitter, persisted', () => {
    it.each([
      ['130429 (throughput)', { code: 130429 }, 130429],
      ['131056 (pair rate)', { code: 131056 }, 131056],
      ['131057 (maintenance)', { code: 131057 }, 131057],
      ['1 (API unknown)', { code: 1 }, 1],
      ['2 (API service)', { code: 2 }, 2],
      ['131016 (service unavailable, HTTP 503)', { code: 131016 }, 131016],
      ['a 5xx with a Graph error (131000, HTTP 500)', { code: 131000 }, 131000],
      ['a bare 503 without a Graph error (a proxy)', { code: 0, mode: 'bare' as const }, null],
    ])('%s: rejected, retried after a jittered delay, then sent once', async (_label, fault, code) => {
      const person = bed.driver.person();
      const decision = bed.driver.decision(person, `transient-${code ?? 'bare'}`, phoneNumberId);
      await bed.driver.fault({ to: person.e164, times: 1, ...fault });
      await bed.driver.publishDecisions(decision);

      const { retries, final } = await bed.driver.watchRetries(decision.decisionId, (r) => r.state === 'accepted');
      expect(retries).toHaveLength(1);
      const [low, high] = backoffBounds(1);
      expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(low);
      expect(retries[0]?.delayMs).toBeLessThanOrEqual(high);
      firstDelays.push(retries[0]?.delayMs ?? -1);
      expect(final).toMatchObject({ state: 'accepted', attempts: 2 });
      expect(await bed.driver.sandboxMessages(decision.decisionId)).toHaveLength(1);

      await waitStatus(decision.decisionId, (s) => s.status === 'accepted');
      const published = statusesOf(decision.decisionId);
      const rejected = published.filter((s) => s.status === 'rejected');
      expect(rejected).toEqual([
        expect.objectContaining({ reportedBy: 'dispatcher', errorTitle: expect.stringMatching(/\(retry\)$/) as unknown }),
      ]);
      expect(rejected[0]?.errorCode).toBe(code ?? undefined);
      expect(published.filter((s) => s.status === 'accepted')).toEqual([
        expect.objectContaining({ wamid: expect.stringMatching(/^wamid\./) as unknown }),
      ]);
    });

    it('jitter: the first retries of those sends did not all wait the same', () => {
      expect(firstDelays).toHaveLength(8);
      expect(new Set(firstDelays).size).toBeGreaterThan(1);
    });

    it('each retry waits about twice as long as the one before (capped); killed mid-backoff, the retry still happens, exactly once', async () => {
      const person = bed.driver.person();
      const decision = bed.driver.decision(person, 'backoff-kill', phoneNumberId);
      await bed.driver.fault({ to: person.e164, code: 130429, times: 3 });
      await bed.driver.publishDecisions(decision);

      // Third rejection: a retry is scheduled 500..1000 ms later (base 400 doubled twice, capped at 1000)...
      const { retries } = await bed.driver.watchRetries(
        decision.decisionId,
        (r) => r.state === 'pending' && r.attempts === 3 && r.errorCode === 130429,
      );
      // ...and the dispatcher is killed while it waits.
      await bed.stack.dispatcher.kill('SIGKILL');
      expect(retries.map((r) => r.afterAttempt)).toEqual([1, 2, 3]);
      retries.forEach((retry, i) => {
        const [low, high] = backoffBounds(i + 1);
        expect(retry.delayMs).toBeGreaterThanOrEqual(low);
        expect(retry.delayMs).toBeLessThanOrEqual(high);
      });
      // The retry is in Postgres, not in the dead process's memory.
      expect(await bed.driver.ledger(decision.decisionId)).toMatchObject({ state: 'pending', attempts: 3 });

      await bed.stack.dispatcher.start();
      await bed.driver.ledgerUntil(decision.decisionId, 'accepted after the restart', (r) => r.state === 'accepted');
      expect(await bed.driver.ledger(decision.decisionId)).toMatchObject({ state: 'accepted', attempts: 4 });
      expect(await bed.driver.sandboxMessages(decision.decisionId)).toHaveLength(1);
      await waitStatus(decision.decisionId, (s) => s.status === 'accepted');
      expect(statusesOf(decision.decisionId).map((s) => s.status)).toEqual(
        expect.arrayContaining(['rejected', 'rejected', 'rejected', 'accepted']),
      );
      expect(statusesOf(decision.decisionId).filter((s) => s.status === 'accepted')).toHaveLength(1);
    }, 60_000);

    it(`given up after ${MAX_ATTEMPTS} attempts: rejected for good, never sent`, async () => {
      const person = bed.driver.person();
      const decision = bed.driver.decision(person, 'give-up', phoneNumberId);
      await bed.driver.fault({ to: person.e164, code: 131016, times: MAX_ATTEMPTS + 5 });
      await bed.driver.publishDecisions(decision);

      const { retries, final } = await bed.driver.watchRetries(decision.decisionId, (r) => r.state === 'rejected');
      expect(retries.map((r) => r.afterAttempt)).toEqual([1, 2, 3, 4, 5]);
      expect(final).toMatchObject({ state: 'rejected', attempts: MAX_ATTEMPTS, errorCode: 131016 });
      const published = await (async () => {
        await waitStatus(decision.decisionId, (s) => (s.errorTitle ?? '').includes('(give-up)'));
        return statusesOf(decision.decisionId);
      })();
      expect(published).toHaveLength(MAX_ATTEMPTS);
      expect(published.slice(0, -1).every((s) => s.status === 'rejected' && s.errorTitle?.endsWith('(retry)'))).toBe(true);
      expect(await bed.driver.sandboxMessages(decision.decisionId)).toHaveLength(0);
    }, 30_000);

    it('a refused connection (nothing reached Meta) is retried until the API answers, then sent once', async () => {
      const person = bed.driver.person();
      const decision = bed.driver.decision(person, 'refused', phoneNumberId);
      await api.refuse();
      await bed.driver.publishDecisions(decision);
      const refused = await waitStatus(decision.decisionId, (s) => s.status === 'rejected');
      expect(refused.value.errorTitle).toMatch(/connection refused.*\(retry\)$/);
      await api.open();
      const { final } = await bed.driver.watchRetries(decision.decisionId, (r) => r.state === 'accepted' || r.state === 'rejected');
      expect(final.state).toBe('accepted');
      expect(await bed.driver.sandboxMessages(decision.decisionId)).toHaveLength(1);
    }, 30_000);

    it('a timeout is never resent blindly: in doubt until its status webhook proves Meta took it, else expired and reported failed', async () => {
      const [dropped, hung] = [bed.driver.person(), bed.driver.person()];
      // `drop`: Meta accepted the message, but the answer never came back; its webhook settles it.
      const d1 = bed.driver.decision(dropped, 'timeout-drop', phoneNumberId);
      // `hang`: no answer at all, and (unknown to us) nothing accepted: no webhook will ever come.
      const d2 = bed.driver.decision(hung, 'timeout-hang', phoneNumberId);
      await bed.driver.fault({ to: dropped.e164, code: 0, mode: 'drop', times: 1 });
      await bed.driver.fault({ to: hung.e164, code: 0, mode: 'hang', times: 1 });
      await bed.driver.publishDecisions(d1, d2);

      await bed.driver.ledgerUntil(
        d1.decisionId,
        'accepted by its status webhook',
        (r) => r.state === 'accepted' && r.statuses.includes('sent'),
      );
      await waitStatus(d2.decisionId, (s) => s.status === 'failed', 20_000);
      expect(await bed.driver.ledger(d1.decisionId)).toMatchObject({ attempts: 1 });
      expect(await bed.driver.ledger(d2.decisionId)).toMatchObject({ state: 'expired', attempts: 1 });
      expect(await bed.driver.sandboxMessages(d1.decisionId)).toHaveLength(1);
      expect(await bed.driver.sandboxMessages(d2.decisionId)).toHaveLength(0);
      expect(statusesOf(d1.decisionId).map((s) => `${s.status}/${s.reportedBy}`)).toEqual(
        expect.arrayContaining(['sent/webhook', 'delivered/webhook']),
      );
      expect(statusesOf(d2.decisionId)).toEqual([
        expect.objectContaining({
          status: 'failed',
          reportedBy: 'dispatcher',
          errorTitle: expect.stringContaining('not resent') as unknown,
        }),
      ]);
    }, 30_000);
  });

  it('131049 (per-user marketing limit): retried at growing intervals up to the limit, then given up', async () => {
    const person = bed.driver.person();
    const decision = bed.driver.decision(person, 'marketing-limit', phoneNumberId);
    // As Meta reports it: accepted, then a `failed` status webhook with 131049, on every attempt.
    await bed.driver.fault({ to: person.e164, code: 131049, mode: 'status', times: MARKETING_LIMIT_MAX_RETRIES + 5 });
    await bed.driver.publishDecisions(decision);

    const { retries, final } = await bed.driver.watchRetries(decision.decisionId, (r) => r.state === 'rejected');
    expect(final).toMatchObject({
      state: 'rejected',
      errorCode: 131049,
      attempts: MARKETING_LIMIT_MAX_RETRIES + 1,
      marketingLimitRetries: MARKETING_LIMIT_MAX_RETRIES,
    });
    // base, then 2·base, each ±10 %.
    expect(retries).toHaveLength(MARKETING_LIMIT_MAX_RETRIES);
    retries.forEach((retry, i) => {
      expect(retry.errorCode).toBe(131049);
      expect(retry.delayMs).toBeGreaterThanOrEqual(0.9 * MARKETING_LIMIT_RETRY_MS * 2 ** i);
      expect(retry.delayMs).toBeLessThanOrEqual(1.1 * MARKETING_LIMIT_RETRY_MS * 2 ** i);
    });
    expect(await bed.driver.sandboxMessages(decision.decisionId)).toHaveLength(MARKETING_LIMIT_MAX_RETRIES + 1);
    await waitStatus(decision.decisionId, (s) => (s.errorTitle ?? '').endsWith('(give-up)'));
    const failed = statusesOf(decision.decisionId).filter((s) => s.status === 'failed');
    expect(failed.map((s) => s.errorTitle?.replace(/.*\(/, '('))).toEqual(['(retry)', '(retry)', '(give-up)']);
    expect(failed.every((s) => s.errorCode === 131049 && s.reportedBy === 'webhook')).toBe(true);
  });

  it('a late or redelivered status of an earlier attempt never settles the retry in doubt', async () => {
    const person = bed.driver.person();
    const decision = bed.driver.decision(person, 'stale-status', phoneNumberId);
    // Attempt 1 fails by webhook (131016, transient); attempt 2 hangs: it is in doubt. (Faults match in order.)
    await bed.driver.fault({ to: person.e164, code: 131016, mode: 'status', times: 1 });
    await bed.driver.fault({ to: person.e164, code: 0, mode: 'hang', times: 1 });
    await bed.driver.publishDecisions(decision);
    await waitStatus(decision.decisionId, (s) => s.status === 'failed');
    const [first] = await bed.driver.sandboxMessages(decision.decisionId);
    await bed.driver.ledgerUntil(
      decision.decisionId,
      'attempt 2 in doubt',
      (r) => r.attempts === 2 && (r.state === 'sending' || r.state === 'unknown'),
      10_000,
    );

    // Meta redelivers attempt 1's `failed` webhook now.
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '100000000000001',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550001234', phone_number_id: phoneNumberId },
                statuses: [
                  {
                    id: first?.wamid,
                    status: 'failed',
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    recipient_id: person.digits,
                    biz_opaque_callback_data: decision.decisionId,
                    errors: [{ code: 131016, title: 'Service unavailable' }],
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const response = await fetch(`${bed.stack.dispatcher.url}/v1/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, bed.stack.appSecret) },
      body,
    });
    expect(response.status).toBe(200);
    // Still in doubt: neither taken for accepted (with attempt 1's wamid) nor failed and retried.
    expect(['sending', 'unknown']).toContain((await bed.driver.ledger(decision.decisionId))?.state);
    // It expires, never sent a second time.
    await bed.driver.ledgerUntil(decision.decisionId, 'expired', (r) => r.state === 'expired', 15_000);
    expect(await bed.driver.ledger(decision.decisionId)).toMatchObject({ state: 'expired', attempts: 2, wamid: null });
    expect(statusesOf(decision.decisionId).filter((s) => s.status === 'failed' && s.reportedBy === 'webhook')).toHaveLength(1);
    expect(await bed.driver.sandboxMessages(decision.decisionId)).toHaveLength(1);
  }, 30_000);

  it('131050 (stopped marketing): a consent.v1 revocation, keyed by personId and naming the person by personId, never the number; not retried', async () => {
    const person = bed.driver.person();
    const decision = bed.driver.decision(person, 'stopped-marketing', phoneNumberId);
    await bed.driver.fault({ to: person.e164, code: 131050, mode: 'status', times: 1 });
    await bed.driver.publishDecisions(decision);

    const revocation = await consents.waitFor((c) => c.source === 'whatsapp-error-131050' && c.personId === person.personId);
    expect(revocation.key).toBe(person.personId);
    expect(revocation.value).toMatchObject({
      purpose: 'whatsapp_marketing',
      businessId: decision.businessId,
      status: 'revoked',
      assertedVia: 'whatsapp_webhook',
      assertedBy: 'dispatcher',
    });
    expect(revocation.value).not.toHaveProperty('phone');
    expect(JSON.stringify(revocation.value)).not.toContain(person.digits.slice(2));
    const row = await bed.driver.ledgerUntil(decision.decisionId, 'rejected', (r) => r.state === 'rejected');
    expect(row).toMatchObject({ errorCode: 131050, attempts: 1 });
    expect(await bed.driver.sandboxMessages(decision.decisionId)).toHaveLength(1);
    expect(statusesOf(decision.decisionId)).toContainEqual(
      expect.objectContaining({ status: 'failed', errorCode: 131050, errorTitle: expect.stringContaining('(revoke-consent)') as unknown }),
    );
  });

  it('131026 (undeliverable): the number is marked unreachable and the next decision for that person is not sent', async () => {
    const [person, other] = [bed.driver.person(), bed.driver.person()];
    const first = bed.driver.decision(person, 'unreachable-1', phoneNumberId);
    await bed.driver.fault({ to: person.e164, code: 131026, mode: 'status', times: 1 });
    await bed.driver.publishDecisions(first);
    await waitStatus(first.decisionId, (s) => s.status === 'failed' && s.errorCode === 131026);

    const next = bed.driver.decision(person, 'unreachable-2', phoneNumberId);
    const control = bed.driver.decision(other, 'unreachable-control', phoneNumberId);
    await bed.driver.publishDecisions(next, control);
    const skipped = await waitStatus(next.decisionId, (s) => s.status === 'rejected');
    expect(skipped.value).toMatchObject({
      errorCode: 131026,
      reportedBy: 'dispatcher',
      errorTitle: expect.stringContaining('skipped') as unknown,
    });
    expect(await bed.driver.ledger(next.decisionId)).toMatchObject({ state: 'skipped', attempts: 0 });
    await bed.driver.ledgerUntil(control.decisionId, 'someone else still sent', (r) => r.state === 'accepted');
    expect(await bed.driver.sandboxMessages(next.decisionId)).toHaveLength(0);
    expect(await bed.driver.sandboxMessages(first.decisionId)).toHaveLength(1);
  });

  it('131047 (outside the 24 h window): a free-form reply fails once and is never retried as free-form', async () => {
    const person = bed.driver.person();
    const replyId = await bed.driver.publishReply(person, 'outside-window', phoneNumberId);

    const failed = await waitStatus(replyId, (s) => s.status === 'failed');
    expect(failed.value).toMatchObject({
      errorCode: 131047,
      reportedBy: 'webhook',
      errorTitle: expect.stringContaining('(give-up)') as unknown,
    });
    expect(await bed.driver.ledger(replyId)).toMatchObject({ state: 'rejected', errorCode: 131047, attempts: 1 });
    expect((await bed.driver.sandboxMessages(replyId)).map((m) => m.type)).toEqual(['text']);

    // Inside the window (the person wrote first), the same kind of reply goes through.
    const inbound = await fetch(`${bed.stack.sandbox.url}/sandbox/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: person.e164, phoneNumberId, text: 'hello?' }),
    });
    expect(inbound.status).toBe(202);
    const inside = await bed.driver.publishReply(person, 'inside-window', phoneNumberId);
    await waitStatus(inside, (s) => s.status === 'delivered');
    expect(await bed.driver.ledger(replyId)).toMatchObject({ state: 'rejected', attempts: 1 });
  });

  it("131048 (spam rate limit): the business's campaigns pause (signal), its sends wait for the end of the pause, then resume", async () => {
    const pausedNumber = `4${Date.now()}`.slice(0, 15);
    const businessId = `spammy-${run}`;
    const [p1, p2] = [bed.driver.person(), bed.driver.person()];
    const first = bed.driver.decision(p1, 'spam-1', pausedNumber, businessId);
    await bed.driver.fault({ phoneNumberId: pausedNumber, code: 131048, times: 1 });
    await bed.driver.publishDecisions(first);

    const paused = await signals.waitFor((s) => s.businessId === businessId && s.signal === 'campaigns_paused');
    expect(paused.key).toBe(businessId);
    expect(paused.value).toMatchObject({ phoneNumberId: pausedNumber, errorCode: 131048 });
    const until = Date.parse(paused.value.until as string);
    expect(statusesOf(first.decisionId)[0]).toMatchObject({
      status: 'rejected',
      errorCode: 131048,
      errorTitle: expect.stringContaining('(pause-campaigns)') as unknown,
    });
    // Another campaign decision of the same business during the pause.
    const second = bed.driver.decision(p2, 'spam-2', pausedNumber, businessId);
    await bed.driver.publishDecisions(second);

    await signals.waitFor((s) => s.businessId === businessId && s.signal === 'campaigns_resumed', 20_000);
    for (const d of [first, second]) {
      await bed.driver.ledgerUntil(d.decisionId, 'sent after the pause', (r) => r.state === 'accepted');
      const [message, ...more] = await bed.driver.sandboxMessages(d.decisionId, pausedNumber);
      expect(more).toHaveLength(0);
      // Nothing of that business reached Meta before the pause ended.
      expect(Date.parse(message?.acceptedAt ?? '')).toBeGreaterThanOrEqual(until);
    }
  }, 30_000);

  // Last: the halt stops every send of this dispatcher until its access token is replaced.
  it('190 (access token): sending stops, the alert metric and readiness say so; a new token resumes it, nothing lost or repeated', async () => {
    const [p1, p2] = [bed.driver.person(), bed.driver.person()];
    const first = bed.driver.decision(p1, 'token-1', phoneNumberId);
    await bed.driver.fault({ to: p1.e164, code: 190, times: 1 });
    await bed.driver.publishDecisions(first);

    const halted = await signals.waitFor((s) => s.signal === 'sending_halted');
    expect(halted.key).toBe('*');
    expect(halted.value).toMatchObject({ businessId: '*', errorCode: 190 });
    expect(statusesOf(first.decisionId)[0]).toMatchObject({
      status: 'rejected',
      errorCode: 190,
      errorTitle: expect.stringContaining('(halt-sending)') as unknown,
    });
    const ready = await eventually('readiness to say sending is halted', async () => {
      const response = await fetch(`${bed.stack.dispatcher.url}/health/ready`);
      return response.status === 503 ? ((await response.json()) as { error?: Record<string, { status: string }> }) : undefined;
    });
    expect(ready.error?.['whatsapp-sending']).toMatchObject({ status: 'down' });
    expect(await (await fetch(`${bed.stack.dispatcher.url}/metrics`)).text()).toMatch(/^wt_dispatch_sending_halted(\{[^}]*\})? 1$/m);

    // A decision arriving meanwhile waits, as does the refused one: neither reaches the API.
    const second = bed.driver.decision(p2, 'token-2', phoneNumberId);
    await bed.driver.publishDecisions(second);
    await bed.driver.ledgerUntil(second.decisionId, 'queued', (r) => r.state === 'pending');
    for (let look = 0; look < 10; look++) {
      // Twenty sender polls (50 ms) and more: still nothing claimed.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await bed.driver.ledger(first.decisionId)).toMatchObject({ state: 'pending', attempts: 1 });
      expect(await bed.driver.ledger(second.decisionId)).toMatchObject({ state: 'pending', attempts: 0 });
    }
    expect((await bed.driver.sandboxStats()).rejected['190']).toBe(1);

    // The operator replaces the token (Meta's side and ours): sending resumes, each message once.
    const rotated = randomBytes(24).toString('hex');
    await bed.stack.dispatcher.kill('SIGTERM');
    await bed.stack.sandbox.kill('SIGTERM');
    await bed.stack.sandbox.start({ SANDBOX_ACCESS_TOKEN: rotated });
    await bed.stack.dispatcher.start({ WHATSAPP_ACCESS_TOKEN: rotated });
    for (const d of [first, second]) {
      await bed.driver.ledgerUntil(d.decisionId, 'sent with the new token', (r) => r.state === 'accepted');
      expect(await bed.driver.sandboxMessages(d.decisionId)).toHaveLength(1);
    }
    expect(await (await fetch(`${bed.stack.dispatcher.url}/metrics`)).text()).toMatch(/^wt_dispatch_sending_halted(\{[^}]*\})? 0$/m);
  }, 60_000);
});
