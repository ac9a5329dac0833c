import { inboundMessagesOf, verifyWebhookSignature, type SendAccepted, type TemplateMessage } from '@wt/whatsapp';
import { eventually, nextRecipient, type RunningSandbox, startSandbox, startWebhookReceiver, useSandbox } from '../testing/sandbox-harness';

const TEMPLATE: TemplateMessage = { name: 'spring_sale', language: { code: 'en' } };
const PHONE_NUMBER_ID = '4000001';

async function accepted(promise: Promise<unknown>): Promise<SendAccepted> {
  const result = await promise;
  expect(result).toMatchObject({ kind: 'accepted' });
  return result as SendAccepted;
}

describe('status and inbound webhooks', () => {
  const bed = useSandbox({
    SANDBOX_READ_RATE: '1',
    SANDBOX_PAIR_INTERVAL_MS: '0',
    SANDBOX_UNREACHABLE_SUFFIX: '0000',
  });

  it('posts sent, delivered then read, signed, with biz_opaque_callback_data, recipient and billing', async () => {
    const to = nextRecipient();
    const { wamid, waId } = await accepted(bed.sandbox.client().sendTemplate(PHONE_NUMBER_ID, to, TEMPLATE, 'decision-42'));

    const statuses = await eventually(() => {
      const received = bed.receiver.statusesFor(wamid);
      return received.length === 3 && received;
    });

    expect(statuses.map((status) => status.status)).toEqual(['sent', 'delivered', 'read']);
    for (const status of statuses) {
      expect(status).toMatchObject({
        id: wamid,
        recipient_id: waId,
        biz_opaque_callback_data: 'decision-42',
      });
      expect(status.timestamp).toMatch(/^\d{10}$/);
    }
    expect(statuses[0]?.conversation).toEqual({
      id: expect.any(String) as unknown,
      expiration_timestamp: expect.stringMatching(/^\d{10}$/) as unknown,
      origin: { type: 'marketing' },
    });
    expect(statuses[1]?.pricing).toEqual({
      billable: true,
      pricing_model: 'PMP',
      category: 'marketing',
      type: 'regular',
    });

    const webhooks = bed.receiver.received.filter((webhook) => webhook.rawBody.includes(wamid));
    expect(webhooks).toHaveLength(3);
    for (const webhook of webhooks) {
      expect(verifyWebhookSignature(webhook.rawBody, webhook.signature, bed.sandbox.appSecret)).toBe(true);
      expect(verifyWebhookSignature(webhook.rawBody, webhook.signature, 'some-other-app-secret')).toBe(false);
      expect(webhook.payload).toMatchObject({
        object: 'whatsapp_business_account',
        entry: [
          {
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { phone_number_id: PHONE_NUMBER_ID },
                },
              },
            ],
          },
        ],
      });
    }
  });

  it('accepts free-form text outside the 24 h window, then reports it failed with 131047', async () => {
    const to = nextRecipient();
    const { wamid } = await accepted(bed.sandbox.client().sendText(PHONE_NUMBER_ID, to, 'Hello there', 'decision-43'));

    const [failed] = await eventually(() => bed.receiver.statusesFor(wamid).length > 0 && bed.receiver.statusesFor(wamid));
    expect(failed).toMatchObject({
      status: 'failed',
      biz_opaque_callback_data: 'decision-43',
      errors: [{ code: 131047, title: 'Re-engagement message' }],
    });
    expect(failed?.pricing).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bed.receiver.statusesFor(wamid)).toHaveLength(1);
  });

  it('posts an inbound message, after which free-form text is delivered as a service message', async () => {
    const to = nextRecipient();
    const inbound = await bed.sandbox.request('POST', '/sandbox/inbound', {
      from: to,
      phoneNumberId: PHONE_NUMBER_ID,
      text: 'Hi!',
    });
    expect(inbound.status).toBe(202);

    const received = await eventually(() =>
      bed.receiver.received
        .flatMap((webhook) => inboundMessagesOf(webhook.payload).map((message) => ({ webhook, message })))
        .find(({ message }) => message.message.from === to.slice(1)),
    );
    expect(received.message).toMatchObject({
      phoneNumberId: PHONE_NUMBER_ID,
      message: { type: 'text', text: { body: 'Hi!' }, id: (inbound.body as { id: string }).id },
      contact: { wa_id: to.slice(1) },
    });
    expect(verifyWebhookSignature(received.webhook.rawBody, received.webhook.signature, bed.sandbox.appSecret)).toBe(true);

    const { wamid } = await accepted(bed.sandbox.client().sendText(PHONE_NUMBER_ID, to, 'Thanks for writing'));
    const statuses = await eventually(() => bed.receiver.statusesFor(wamid).length === 3 && bed.receiver.statusesFor(wamid));
    expect(statuses.map((status) => status.status)).toEqual(['sent', 'delivered', 'read']);
    expect(statuses[0]?.pricing).toEqual({
      billable: false,
      pricing_model: 'PMP',
      category: 'service',
      type: 'free_customer_service',
    });
  });

  it('reports a button tap as a reply to the latest message', async () => {
    const to = nextRecipient();
    const { wamid } = await accepted(bed.sandbox.client().sendTemplate(PHONE_NUMBER_ID, to, TEMPLATE));
    await bed.sandbox.request('POST', '/sandbox/inbound', {
      from: to,
      phoneNumberId: PHONE_NUMBER_ID,
      button: { text: 'Stop promotions', payload: 'STOP' },
    });

    const message = await eventually(() =>
      bed.receiver.received.flatMap((webhook) => inboundMessagesOf(webhook.payload)).find((entry) => entry.message.context?.id === wamid),
    );
    expect(message.message).toMatchObject({
      type: 'button',
      button: { text: 'Stop promotions', payload: 'STOP' },
    });
  });

  it('reports recipients ending in SANDBOX_UNREACHABLE_SUFFIX failed with 131026', async () => {
    const { wamid } = await accepted(bed.sandbox.client().sendTemplate(PHONE_NUMBER_ID, '+4915190000000', TEMPLATE));
    const [failed] = await eventually(() => bed.receiver.statusesFor(wamid).length > 0 && bed.receiver.statusesFor(wamid));
    expect(failed).toMatchObject({ status: 'failed', errors: [{ code: 131026 }] });
  });

  it('retries a webhook the receiver fails, keeping the order of statuses', async () => {
    bed.receiver.failNext(2);
    const { wamid } = await accepted(bed.sandbox.client().sendTemplate(PHONE_NUMBER_ID, nextRecipient(), TEMPLATE));

    const statuses = await eventually(() => bed.receiver.statusesFor(wamid).length === 3 && bed.receiver.statusesFor(wamid));
    expect(statuses.map((status) => status.status)).toEqual(['sent', 'delivered', 'read']);
    const stats = await bed.sandbox.request('GET', '/sandbox/stats');
    expect((stats.body as { webhooks: { failedAttempts: number } }).webhooks.failedAttempts).toBeGreaterThanOrEqual(2);
    const listed = await bed.sandbox.request('GET', `/sandbox/messages?phoneNumberId=${PHONE_NUMBER_ID}`);
    expect((listed.body as Array<{ wamid: string; statuses: unknown[] }>).find((message) => message.wamid === wamid)?.statuses).toEqual([
      expect.objectContaining({ status: 'sent', webhook: 'delivered' }),
      expect.objectContaining({ status: 'delivered', webhook: 'delivered' }),
      expect.objectContaining({ status: 'read', webhook: 'delivered' }),
    ]);
  });
});

async function webhookStats(sandbox: RunningSandbox): Promise<{ delivered: number; failed: number; pending: number }> {
  const { body } = await sandbox.request('GET', '/sandbox/stats');
  return (body as { webhooks: { delivered: number; failed: number; pending: number } }).webhooks;
}

describe('webhook delivery edge cases', () => {
  it('gives up after SANDBOX_WEBHOOK_MAX_ATTEMPTS without ever blocking the send path', async () => {
    const sandbox = await startSandbox({
      SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:1/unreachable',
      SANDBOX_WEBHOOK_MAX_ATTEMPTS: '2',
      SANDBOX_READ_RATE: '0',
    });
    try {
      const started = Date.now();
      await accepted(sandbox.client().sendTemplate(PHONE_NUMBER_ID, nextRecipient(), TEMPLATE));
      expect(Date.now() - started).toBeLessThan(1000);

      const webhooks = await eventually(async () => {
        const current = await webhookStats(sandbox);
        return current.pending === 0 && current;
      });
      expect(webhooks).toMatchObject({ failed: 2, delivered: 0 });
    } finally {
      await sandbox.close();
    }
  });

  it('clears pending status timers on close: nothing is posted afterwards', async () => {
    const receiver = await startWebhookReceiver();
    const sandbox = await startSandbox({
      SANDBOX_WEBHOOK_URL: receiver.url,
      SANDBOX_STATUS_DELAY_MS: '300',
    });
    try {
      await accepted(sandbox.client().sendTemplate(PHONE_NUMBER_ID, nextRecipient(), TEMPLATE));
      const started = Date.now();
      await sandbox.close();
      expect(Date.now() - started).toBeLessThan(1000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('with SANDBOX_WEBHOOK_BATCH_MS, posts the statuses due together in one signed webhook, each message still in order', async () => {
    const receiver = await startWebhookReceiver();
    const sandbox = await startSandbox({
      SANDBOX_WEBHOOK_URL: receiver.url,
      SANDBOX_READ_RATE: '1',
      SANDBOX_PAIR_INTERVAL_MS: '0',
      SANDBOX_STATUS_DELAY_MS: '0',
      SANDBOX_WEBHOOK_BATCH_MS: '100',
    });
    try {
      const sends = await Promise.all(
        Array.from({ length: 20 }, () => accepted(sandbox.client().sendTemplate(PHONE_NUMBER_ID, nextRecipient(), TEMPLATE))),
      );
      await eventually(() => sends.every(({ wamid }) => receiver.statusesFor(wamid).length === 3));
      for (const { wamid } of sends) {
        expect(receiver.statusesFor(wamid).map((status) => status.status)).toEqual(['sent', 'delivered', 'read']);
      }
      // 60 statuses in a few POSTs (one per batch window), every one signed over its whole body.
      expect(receiver.received.length).toBeLessThanOrEqual(10);
      for (const webhook of receiver.received) {
        expect(verifyWebhookSignature(webhook.rawBody, webhook.signature, sandbox.appSecret)).toBe(true);
      }
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });
});
