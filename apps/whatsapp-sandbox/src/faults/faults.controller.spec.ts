import type { SendAccepted, TemplateMessage } from '@wt/whatsapp';
import { eventually, nextRecipient, startSandbox, useSandbox } from '../testing/sandbox-harness';

const TEMPLATE: TemplateMessage = { name: 'spring_sale', language: { code: 'en' } };
const PHONE_NUMBER_ID = '5000001';

describe('failure injection (/sandbox/faults)', () => {
  const bed = useSandbox({
    SANDBOX_READ_RATE: '0',
    SANDBOX_PAIR_INTERVAL_MS: '0',
  });

  afterEach(async () => {
    await bed.sandbox.request('DELETE', '/sandbox/faults');
  });

  const addFault = async (fault: Record<string, unknown>) => {
    const { status } = await bed.sandbox.request('POST', '/sandbox/faults', fault);
    expect(status).toBe(201);
  };
  const send = (to: string, timeoutMs?: number) => bed.sandbox.client(timeoutMs).sendTemplate(PHONE_NUMBER_ID, to, TEMPLATE, 'decision-f');
  const listed = async (to: string) =>
    (await bed.sandbox.request('GET', `/sandbox/messages?to=${encodeURIComponent(to)}`)).body as Array<{
      wamid: string;
    }>;

  it('reject: answers the next `times` matching sends with the Graph error, then sends go through', async () => {
    const to = nextRecipient();
    await addFault({ to, code: 131049, times: 2 });

    expect(await send(nextRecipient())).toMatchObject({ kind: 'accepted' });
    expect(await send(to)).toMatchObject({
      kind: 'rejected',
      httpStatus: 400,
      code: 131049,
      category: 'retry-later',
    });
    expect(await send(to)).toMatchObject({ kind: 'rejected', code: 131049 });
    expect(await send(to)).toMatchObject({ kind: 'accepted' });
  });

  it('reject: uses the HTTP status Meta answers the code with, or the one given', async () => {
    await addFault({ code: 190, times: 1 });
    await addFault({ code: 131016, httpStatus: 502, times: 1 });

    expect(await send(nextRecipient())).toMatchObject({
      kind: 'rejected',
      httpStatus: 401,
      code: 190,
      category: 'halt-sending',
    });
    expect(await send(nextRecipient())).toMatchObject({
      kind: 'rejected',
      httpStatus: 502,
      code: 131016,
      category: 'retry',
    });
  });

  it('matches on phoneNumberId', async () => {
    await addFault({ phoneNumberId: '5999999', code: 131048, times: 1 });
    expect(await send(nextRecipient())).toMatchObject({ kind: 'accepted' });
    expect(await bed.sandbox.client().sendTemplate('5999999', nextRecipient(), TEMPLATE)).toMatchObject({
      kind: 'rejected',
      code: 131048,
      category: 'pause-campaigns',
    });
  });

  it('status: accepts the message, then reports it failed with the code', async () => {
    const to = nextRecipient();
    await addFault({ to, code: 131050, times: 1, mode: 'status' });

    const result = (await send(to)) as SendAccepted;
    expect(result.kind).toBe('accepted');
    const [failed] = await eventually(() => bed.receiver.statusesFor(result.wamid).length > 0 && bed.receiver.statusesFor(result.wamid));
    expect(failed).toMatchObject({
      status: 'failed',
      biz_opaque_callback_data: 'decision-f',
      errors: [{ code: 131050 }],
    });
  });

  it('hang: never answers, so the client times out with an unknown outcome; the message was not accepted', async () => {
    const to = nextRecipient();
    await addFault({ to, code: 0, times: 1, mode: 'hang' });

    expect(await send(to, 300)).toMatchObject({ kind: 'unknown', reason: 'timeout' });
    expect(await listed(to)).toHaveLength(0);
    expect(await send(to)).toMatchObject({ kind: 'accepted' });
  });

  it('drop: accepts the message and fires its webhooks, but cuts the connection without answering', async () => {
    const to = nextRecipient();
    await addFault({ to, code: 0, times: 1, mode: 'drop' });

    expect(await send(to)).toMatchObject({ kind: 'unknown', reason: 'network' });
    const [message] = await listed(to);
    expect(message).toBeDefined();
    const statuses = await eventually(
      () => bed.receiver.statusesFor(message?.wamid ?? '').length === 2 && bed.receiver.statusesFor(message?.wamid ?? ''),
    );
    expect(statuses.map((status) => status.status)).toEqual(['sent', 'delivered']);
  });

  it('bare: answers an HTTP error without a Graph body (a proxy in front of Meta); the message was not accepted', async () => {
    const to = nextRecipient();
    await addFault({ to, code: 0, times: 1, mode: 'bare' });
    await addFault({ to, code: 0, httpStatus: 502, times: 1, mode: 'bare' });

    // A 503 without a Graph error is a refusal decided by the HTTP status (transient)...
    expect(await send(to)).toMatchObject({
      kind: 'rejected',
      httpStatus: 503,
      code: null,
      category: 'retry',
    });
    // ...a 502 without one may have reached Meta: the client cannot say.
    expect(await send(to)).toMatchObject({ kind: 'unknown', reason: 'network' });
    expect(await listed(to)).toHaveLength(0);
    expect(await send(to)).toMatchObject({ kind: 'accepted' });
    const { body } = await bed.sandbox.request('GET', '/sandbox/stats');
    expect(body).toMatchObject({ rejected: { http503: 1, http502: 1 } });
  });

  it('DELETE clears every fault; a bad fault is refused', async () => {
    await addFault({ code: 131049, times: 5 });
    expect((await bed.sandbox.request('DELETE', '/sandbox/faults')).body).toEqual({ cleared: 1 });
    expect(await send(nextRecipient())).toMatchObject({ kind: 'accepted' });

    const refused = await bed.sandbox.request('POST', '/sandbox/faults', {
      code: 131049,
      times: 0,
      mode: 'explode',
    });
    expect(refused.status).toBe(400);
  });

  it('counts outcomes in /sandbox/stats', async () => {
    const { body } = await bed.sandbox.request('GET', '/sandbox/stats');
    expect(body).toMatchObject({
      accepted: expect.any(Number) as unknown,
      rejected: { '131049': 2, '190': 1 },
      unanswered: { hang: 1, drop: 1 },
    });
  });
});

describe('closing with a held request', () => {
  it('releases requests a hang fault holds, so that close does not wait for them', async () => {
    const sandbox = await startSandbox();
    await sandbox.request('POST', '/sandbox/faults', { code: 0, times: 1, mode: 'hang' });
    const pending = sandbox.client(10_000).sendTemplate(PHONE_NUMBER_ID, nextRecipient(), TEMPLATE);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const started = Date.now();
    await sandbox.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toMatchObject({ kind: 'unknown', reason: 'network' });
  });
});
