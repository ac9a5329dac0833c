import { type RunningSandbox, startSandbox } from '../testing/sandbox-harness';

const PHONE_NUMBER_ID = '109000000000001';

/** `GET /metrics` of the sandbox: its own counters in Prometheus text, from real sends. */
describe('sandbox /metrics', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  const scrape = async () => {
    const response = await fetch(`${sandbox.baseUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };

  it('counts sends by outcome and Graph error code, and inbound messages; a reset zeroes them', async () => {
    const to = '+33612000001';
    expect((await sandbox.request('POST', '/sandbox/inbound', { from: to, phoneNumberId: PHONE_NUMBER_ID, text: 'Hi!' })).status).toBe(202);
    expect((await sandbox.request('POST', '/sandbox/faults', { code: 130429, times: 1 })).status).toBe(201);
    const refused = await sandbox.client().sendText(PHONE_NUMBER_ID, to, 'Thanks for writing');
    const taken = await sandbox.client().sendText(PHONE_NUMBER_ID, to, 'Thanks for writing');
    expect([refused.kind, taken.kind]).toEqual(['rejected', 'accepted']);

    const text = await scrape();
    expect(text).toContain('wt_sandbox_messages{outcome="accepted",code=""} 1');
    expect(text).toContain('wt_sandbox_messages{outcome="rejected",code="130429"} 1');
    expect(text).toContain('wt_sandbox_inbound_messages 1');
    expect(text).toMatch(/^wt_sandbox_webhooks\{outcome="skipped"\} \d+$/m);

    expect((await sandbox.request('POST', '/sandbox/reset')).status).toBe(204);
    const after = await scrape();
    expect(after).toContain('wt_sandbox_messages{outcome="accepted",code=""} 0');
    expect(after).not.toContain('code="130429"');
    expect(after).toContain('wt_sandbox_inbound_messages 0');
  });
});
