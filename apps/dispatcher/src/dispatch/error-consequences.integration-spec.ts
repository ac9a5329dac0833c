import { type MessageStatusV1, Topic } from '@wt/contracts';
import { eventually, TopicProbe, testBrokers } from '@wt/testing';
import { signWebhookBody } from '@wt/whatsapp';
import { randomBytes, randomUUID } from 'node:crypto';
import { dispatcherStack, type DispatcherStack, freshDatabase } from '../testing/dispatcher-children';
import { ApiSwitch, DispatchDriver } from '../testing/dispatcher-fixtures';

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
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let stack: DispatcherStack;
  let driver: DispatchDriver;
  let statuses: TopicProbe<Topic.WhatsappMessageStatusV1>;
  let consents: TopicProbe<Topic.ConsentV1>;
  let signals: TopicProbe<Topic.BusinessSendingSignalsV1>;
  let api: ApiSwitch;

  beforeAll(async () => {
    db = await freshDatabase(`wt_it_consequences_${run}`);
    // The dispatcher calls the sandbox through a relay the tests can switch off (listening first, so its port is taken).
    api = new ApiSwitch(() => stack.sandbox.port);
    await api.open();
    stack = await dispatcherStack(
      run,
      db.url,
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
    driver = new DispatchDriver(stack, db.pg, run);
    [statuses, consents, signals] = await Promise.all([
      TopicProbe.start(testBrokers(), Topic.WhatsappMessageStatusV1),
      TopicProbe.start(testBrokers(), Topic.ConsentV1),
      TopicProbe.start(testBrokers(), Topic.BusinessSendingSignalsV1),
      stack.sandbox.start(),
      driver.connect(),
    ]);
    await stack.dispatcher.start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([statuses?.stop(), consents?.stop(), signals?.stop(), driver?.disconnect()]);
    // SIGKILL: a graceful stop waits for the consumer's last fetch, and this run's group is thrown away anyway.
    await stack?.dispatcher.kill('SIGKILL');
    await stack?.sandbox.kill('SIGKILL');
    await api?.refuse();
    await db?.drop();
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
      const person = driver.person();
      const decision = driver.decision(person, `transient-${code ?? 'bare'}`, phoneNumberId);
      await driver.fault({ to: person.e164, times: 1, ...fault });
      await driver.publishDecisions(decision);

      const { retries, final } = await driver.watchRetries(decision.decisionId, (r) => r.state === 'accepted');
      expect(retries).toHaveLength(1);
      const [low, high] = backoffBounds(1);
      expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(low);
      expect(retries[0]?.delayMs).toBeLessThanOrEqual(high);
      firstDelays.push(retries[0]?.delayMs ?? -1);
      expect(final).toMatchObject({ state: 'accepted', attempts: 2 });
      expect(await driver.sandboxMessages(decision.decisionId)).toHaveLength(1);

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
      const person = driver.person();
      const decision = driver.decision(person, 'backoff-kill', phoneNumberId);
      await driver.fault({ to: person.e164, code: 130429, times: 3 });
      await driver.publishDecisions(decision);

      // Third rejection: a retry is scheduled 500..1000 ms later (base 400 doubled twice, capped at 1000)...
      const { retries } = await driver.watchRetries(
        decision.decisionId,
        (r) => r.state === 'pending' && r.attempts === 3 && r.errorCode === 130429,
      );
      // ...and the dispatcher is killed while it waits.
      await stack.dispatcher.kill('SIGKILL');
      expect(retries.map((r) => r.afterAttempt)).toEqual([1, 2, 3]);
      retries.forEach((retry, i) => {
        const [low, high] = backoffBounds(i + 1);
        expect(retry.delayMs).toBeGreaterThanOrEqual(low);
        expect(retry.delayMs).toBeLessThanOrEqual(high);
      });
      // The retry is in Postgres, not in the dead process's memory.
      expect(await driver.ledger(decision.decisionId)).toMatchObject({ state: 'pending', attempts: 3 });

      await stack.dispatcher.start();
      await driver.ledgerUntil(decision.decisionId, 'accepted after the restart', (r) => r.state === 'accepted');
      expect(await driver.ledger(decision.decisionId)).toMatchObject({ state: 'accepted', attempts: 4 });
      expect(await driver.sandboxMessages(decision.decisionId)).toHaveLength(1);
      await waitStatus(decision.decisionId, (s) => s.status === 'accepted');
      expect(statusesOf(decision.decisionId).map((s) => s.status)).toEqual(
        expect.arrayContaining(['rejected', 'rejected', 'rejected', 'accepted']),
      );
      expect(statusesOf(decision.decisionId).filter((s) => s.status === 'accepted')).toHaveLength(1);
    }, 60_000);

    it(`given up after ${MAX_ATTEMPTS} attempts: rejected for good, never sent`, async () => {
      const person = driver.person();
      const decision = driver.decision(person, 'give-up', phoneNumberId);
      await driver.fault({ to: person.e164, code: 131016, times: MAX_ATTEMPTS + 5 });
      await driver.publishDecisions(decision);

      const { retries, final } = await driver.watchRetries(decision.decisionId, (r) => r.state === 'rejected');
      expect(retries.map((r) => r.afterAttempt)).toEqual([1, 2, 3, 4, 5]);
      expect(final).toMatchObject({ state: 'rejected', attempts: MAX_ATTEMPTS, errorCode: 131016 });
      const published = await (async () => {
        await waitStatus(decision.decisionId, (s) => (s.errorTitle ?? '').includes('(give-up)'));
        return statusesOf(decision.decisionId);
      })();
      expect(published).toHaveLength(MAX_ATTEMPTS);
      expect(published.slice(0, -1).every((s) => s.status === 'rejected' && s.errorTitle?.endsWith('(retry)'))).toBe(true);
      expect(await driver.sandboxMessages(decision.decisionId)).toHaveLength(0);
    }, 30_000);

    it('a refused connection (nothing reached Meta) is retried until the API answers, then sent once', async () => {
      const person = driver.person();
      const decision = driver.decision(person, 'refused', phoneNumberId);
      await api.refuse();
      await driver.publishDecisions(decision);
      const refused = await waitStatus(decision.decisionId, (s) => s.status === 'rejected');
      expect(refused.value.errorTitle).toMatch(/connection refused.*\(retry\)$/);
      await api.open();
      const { final } = await driver.watchRetries(decision.decisionId, (r) => r.state === 'accepted' || r.state === 'rejected');
      expect(final.state).toBe('accepted');
      expect(await driver.sandboxMessages(decision.decisionId)).toHaveLength(1);
    }, 30_000);

    it('a timeout is never resent blindly: in doubt until its status webhook proves Meta took it, else expired and reported failed', async () => {
      const [dropped, hung] = [driver.person(), driver.person()];
      // `drop`: Meta accepted the message, but the answer never came back; its webhook settles it.
      const d1 = driver.decision(dropped, 'timeout-drop', phoneNumberId);
      // `hang`: no answer at all, and (unknown to us) nothing accepted: no webhook will ever come.
      const d2 = driver.decision(hung, 'timeout-hang', phoneNumberId);
      await driver.fault({ to: dropped.e164, code: 0, mode: 'drop', times: 1 });
      await driver.fault({ to: hung.e164, code: 0, mode: 'hang', times: 1 });
      await driver.publishDecisions(d1, d2);

      await driver.ledgerUntil(
        d1.decisionId,
        'accepted by its status webhook',
        (r) => r.state === 'accepted' && r.statuses.includes('sent'),
      );
      await waitStatus(d2.decisionId, (s) => s.status === 'failed', 20_000);
      expect(await driver.ledger(d1.decisionId)).toMatchObject({ attempts: 1 });
      expect(await driver.ledger(d2.decisionId)).toMatchObject({ state: 'expired', attempts: 1 });
      expect(await driver.sandboxMessages(d1.decisionId)).toHaveLength(1);
      expect(await driver.sandboxMessages(d2.decisionId)).toHaveLength(0);
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
    const person = driver.person();
    const decision = driver.decision(person, 'marketing-limit', phoneNumberId);
    // As Meta reports it: accepted, then a `failed` status webhook with 131049, on every attempt.
    await driver.fault({ to: person.e164, code: 131049, mode: 'status', times: MARKETING_LIMIT_MAX_RETRIES + 5 });
    await driver.publishDecisions(decision);

    const { retries, final } = await driver.watchRetries(decision.decisionId, (r) => r.state === 'rejected');
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
    expect(await driver.sandboxMessages(decision.decisionId)).toHaveLength(MARKETING_LIMIT_MAX_RETRIES + 1);
    await waitStatus(decision.decisionId, (s) => (s.errorTitle ?? '').endsWith('(give-up)'));
    const failed = statusesOf(decision.decisionId).filter((s) => s.status === 'failed');
    expect(failed.map((s) => s.errorTitle?.replace(/.*\(/, '('))).toEqual(['(retry)', '(retry)', '(give-up)']);
    expect(failed.every((s) => s.errorCode === 131049 && s.reportedBy === 'webhook')).toBe(true);
  });

  it('a late or redelivered status of an earlier attempt never settles the retry in doubt', async () => {
    const person = driver.person();
    const decision = driver.decision(person, 'stale-status', phoneNumberId);
    // Attempt 1 fails by webhook (131016, transient); attempt 2 hangs: it is in doubt. (Faults match in order.)
    await driver.fault({ to: person.e164, code: 131016, mode: 'status', times: 1 });
    await driver.fault({ to: person.e164, code: 0, mode: 'hang', times: 1 });
    await driver.publishDecisions(decision);
    await waitStatus(decision.decisionId, (s) => s.status === 'failed');
    const [first] = await driver.sandboxMessages(decision.decisionId);
    await driver.ledgerUntil(
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
    const response = await fetch(`${stack.dispatcher.url}/v1/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, stack.appSecret) },
      body,
    });
    expect(response.status).toBe(200);
    // Still in doubt: neither taken for accepted (with attempt 1's wamid) nor failed and retried.
    expect(['sending', 'unknown']).toContain((await driver.ledger(decision.decisionId))?.state);
    // It expires, never sent a second time.
    await driver.ledgerUntil(decision.decisionId, 'expired', (r) => r.state === 'expired', 15_000);
    expect(await driver.ledger(decision.decisionId)).toMatchObject({ state: 'expired', attempts: 2, wamid: null });
    expect(statusesOf(decision.decisionId).filter((s) => s.status === 'failed' && s.reportedBy === 'webhook')).toHaveLength(1);
    expect(await driver.sandboxMessages(decision.decisionId)).toHaveLength(1);
  }, 30_000);

  it('131050 (stopped marketing): a consent.v1 revocation, keyed by personId and naming the person by personId, never the number; not retried', async () => {
    const person = driver.person();
    const decision = driver.decision(person, 'stopped-marketing', phoneNumberId);
    await driver.fault({ to: person.e164, code: 131050, mode: 'status', times: 1 });
    await driver.publishDecisions(decision);

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
    const row = await driver.ledgerUntil(decision.decisionId, 'rejected', (r) => r.state === 'rejected');
    expect(row).toMatchObject({ errorCode: 131050, attempts: 1 });
    expect(await driver.sandboxMessages(decision.decisionId)).toHaveLength(1);
    expect(statusesOf(decision.decisionId)).toContainEqual(
      expect.objectContaining({ status: 'failed', errorCode: 131050, errorTitle: expect.stringContaining('(revoke-consent)') as unknown }),
    );
  });

  it('131026 (undeliverable): the number is marked unreachable and the next decision for that person is not sent', async () => {
    const [person, other] = [driver.person(), driver.person()];
    const first = driver.decision(person, 'unreachable-1', phoneNumberId);
    await driver.fault({ to: person.e164, code: 131026, mode: 'status', times: 1 });
    await driver.publishDecisions(first);
    await waitStatus(first.decisionId, (s) => s.status === 'failed' && s.errorCode === 131026);

    const next = driver.decision(person, 'unreachable-2', phoneNumberId);
    const control = driver.decision(other, 'unreachable-control', phoneNumberId);
    await driver.publishDecisions(next, control);
    const skipped = await waitStatus(next.decisionId, (s) => s.status === 'rejected');
    expect(skipped.value).toMatchObject({
      errorCode: 131026,
      reportedBy: 'dispatcher',
      errorTitle: expect.stringContaining('skipped') as unknown,
    });
    expect(await driver.ledger(next.decisionId)).toMatchObject({ state: 'skipped', attempts: 0 });
    await driver.ledgerUntil(control.decisionId, 'someone else still sent', (r) => r.state === 'accepted');
    expect(await driver.sandboxMessages(next.decisionId)).toHaveLength(0);
    expect(await driver.sandboxMessages(first.decisionId)).toHaveLength(1);
  });

  it('131047 (outside the 24 h window): a free-form reply fails once and is never retried as free-form', async () => {
    const person = driver.person();
    const replyId = await driver.publishReply(person, 'outside-window', phoneNumberId);

    const failed = await waitStatus(replyId, (s) => s.status === 'failed');
    expect(failed.value).toMatchObject({
      errorCode: 131047,
      reportedBy: 'webhook',
      errorTitle: expect.stringContaining('(give-up)') as unknown,
    });
    expect(await driver.ledger(replyId)).toMatchObject({ state: 'rejected', errorCode: 131047, attempts: 1 });
    expect((await driver.sandboxMessages(replyId)).map((m) => m.type)).toEqual(['text']);

    // Inside the window (the person wrote first), the same kind of reply goes through.
    const inbound = await fetch(`${stack.sandbox.url}/sandbox/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: person.e164, phoneNumberId, text: 'hello?' }),
    });
    expect(inbound.status).toBe(202);
    const inside = await driver.publishReply(person, 'inside-window', phoneNumberId);
    await waitStatus(inside, (s) => s.status === 'delivered');
    expect(await driver.ledger(replyId)).toMatchObject({ state: 'rejected', attempts: 1 });
  });

  it("131048 (spam rate limit): the business's campaigns pause (signal), its sends wait for the end of the pause, then resume", async () => {
    const pausedNumber = `4${Date.now()}`.slice(0, 15);
    const businessId = `spammy-${run}`;
    const [p1, p2] = [driver.person(), driver.person()];
    const first = driver.decision(p1, 'spam-1', pausedNumber, businessId);
    await driver.fault({ phoneNumberId: pausedNumber, code: 131048, times: 1 });
    await driver.publishDecisions(first);

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
    const second = driver.decision(p2, 'spam-2', pausedNumber, businessId);
    await driver.publishDecisions(second);

    await signals.waitFor((s) => s.businessId === businessId && s.signal === 'campaigns_resumed', 20_000);
    for (const d of [first, second]) {
      await driver.ledgerUntil(d.decisionId, 'sent after the pause', (r) => r.state === 'accepted');
      const [message, ...more] = await driver.sandboxMessages(d.decisionId, pausedNumber);
      expect(more).toHaveLength(0);
      // Nothing of that business reached Meta before the pause ended.
      expect(Date.parse(message?.acceptedAt ?? '')).toBeGreaterThanOrEqual(until);
    }
  }, 30_000);

  // Last: the halt stops every send of this dispatcher until its access token is replaced.
  it('190 (access token): sending stops, the alert metric and readiness say so; a new token resumes it, nothing lost or repeated', async () => {
    const [p1, p2] = [driver.person(), driver.person()];
    const first = driver.decision(p1, 'token-1', phoneNumberId);
    await driver.fault({ to: p1.e164, code: 190, times: 1 });
    await driver.publishDecisions(first);

    const halted = await signals.waitFor((s) => s.signal === 'sending_halted');
    expect(halted.key).toBe('*');
    expect(halted.value).toMatchObject({ businessId: '*', errorCode: 190 });
    expect(statusesOf(first.decisionId)[0]).toMatchObject({
      status: 'rejected',
      errorCode: 190,
      errorTitle: expect.stringContaining('(halt-sending)') as unknown,
    });
    const ready = await eventually('readiness to say sending is halted', async () => {
      const response = await fetch(`${stack.dispatcher.url}/health/ready`);
      return response.status === 503 ? ((await response.json()) as { error?: Record<string, { status: string }> }) : undefined;
    });
    expect(ready.error?.['whatsapp-sending']).toMatchObject({ status: 'down' });
    expect(await (await fetch(`${stack.dispatcher.url}/metrics`)).text()).toMatch(/^wt_dispatch_sending_halted(\{[^}]*\})? 1$/m);

    // A decision arriving meanwhile waits, as does the refused one: neither reaches the API.
    const second = driver.decision(p2, 'token-2', phoneNumberId);
    await driver.publishDecisions(second);
    await driver.ledgerUntil(second.decisionId, 'queued', (r) => r.state === 'pending');
    for (let look = 0; look < 10; look++) {
      // Twenty sender polls (50 ms) and more: still nothing claimed.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await driver.ledger(first.decisionId)).toMatchObject({ state: 'pending', attempts: 1 });
      expect(await driver.ledger(second.decisionId)).toMatchObject({ state: 'pending', attempts: 0 });
    }
    expect((await driver.sandboxStats()).rejected['190']).toBe(1);

    // The operator replaces the token (Meta's side and ours): sending resumes, each message once.
    const rotated = randomBytes(24).toString('hex');
    await stack.dispatcher.kill('SIGTERM');
    await stack.sandbox.kill('SIGTERM');
    await stack.sandbox.start({ SANDBOX_ACCESS_TOKEN: rotated });
    await stack.dispatcher.start({ WHATSAPP_ACCESS_TOKEN: rotated });
    for (const d of [first, second]) {
      await driver.ledgerUntil(d.decisionId, 'sent with the new token', (r) => r.state === 'accepted');
      expect(await driver.sandboxMessages(d.decisionId)).toHaveLength(1);
    }
    expect(await (await fetch(`${stack.dispatcher.url}/metrics`)).text()).toMatch(/^wt_dispatch_sending_halted(\{[^}]*\})? 0$/m);
  }, 60_000);
});
