import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unknownFrom, WhatsAppCloudClient } from './cloud-api.client';

interface Recorded {
  method?: string;
  url?: string;
  authorization?: string;
  contentType?: string;
  body: unknown;
}

type Handler = (req: IncomingMessage, res: ServerResponse, recorded: Recorded) => void;

describe('WhatsAppCloudClient', () => {
  let server: Server;
  let baseUrl: string;
  let handler: Handler;
  let requests: Recorded[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded: Recorded = {
          method: req.method,
          url: req.url,
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
        };
        requests.push(recorded);
        handler(req, res, recorded);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests = [];
  });

  const client = (timeoutMs = 2000) =>
    new WhatsAppCloudClient({
      baseUrl,
      apiVersion: 'v25.0',
      accessToken: 'test-token-0123456789',
      timeoutMs,
    });

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  it('posts a template message and returns the wamid when Meta accepts it', async () => {
    handler = (_req, res, recorded) =>
      json(res, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: (recorded.body as { to: string }).to, wa_id: '4915112345678' }],
        messages: [{ id: 'wamid.ABC', message_status: 'accepted' }],
      });

    const result = await client().sendTemplate(
      '1234567890',
      '+4915112345678',
      {
        name: 'spring_sale',
        language: { code: 'de' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }],
      },
      'decision-1',
    );

    expect(result).toEqual({
      kind: 'accepted',
      wamid: 'wamid.ABC',
      waId: '4915112345678',
      messageStatus: 'accepted',
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: '/v25.0/1234567890/messages',
      authorization: 'Bearer test-token-0123456789',
      contentType: 'application/json',
      body: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '+4915112345678',
        type: 'template',
        template: { name: 'spring_sale', language: { code: 'de' } },
        biz_opaque_callback_data: 'decision-1',
      },
    });
  });

  it('posts a text message without biz_opaque_callback_data when none is given', async () => {
    handler = (_req, res) =>
      json(res, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: 'x', wa_id: '1' }],
        messages: [{ id: 'wamid.T' }],
      });

    const result = await client().sendText('1234567890', '4915112345678', 'Hello');

    expect(result).toEqual({ kind: 'accepted', wamid: 'wamid.T', waId: '1' });
    expect(requests[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '4915112345678',
      type: 'text',
      text: { body: 'Hello' },
    });
  });

  it('sends to a business-scoped user id as `recipient`, never as `to` (a person who shares no number)', async () => {
    handler = (_req, res) =>
      json(res, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: 'US.13491208655302741918', user_id: 'US.13491208655302741918' }],
        messages: [{ id: 'wamid.B' }],
      });

    const result = await client().sendTemplate('1234567890', 'US.13491208655302741918', { name: 'promo', language: { code: 'en' } }, 'd-1');

    expect(result).toMatchObject({ kind: 'accepted', wamid: 'wamid.B' });
    expect(requests[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      recipient: 'US.13491208655302741918',
      type: 'template',
      template: { name: 'promo', language: { code: 'en' } },
      biz_opaque_callback_data: 'd-1',
    });
  });

  it('returns a classified rejection for a Graph error', async () => {
    handler = (_req, res) =>
      json(res, 400, {
        error: {
          message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
          type: 'OAuthException',
          code: 131056,
          error_data: {
            messaging_product: 'whatsapp',
            details: 'Too many messages to this recipient',
          },
          fbtrace_id: 'trace-1',
        },
      });

    expect(await client().sendText('1234567890', '4915112345678', 'Hi')).toEqual({
      kind: 'rejected',
      httpStatus: 400,
      code: 131056,
      title: '(Business Account, Consumer Account) pair rate limit hit',
      category: 'retry',
      details: 'Too many messages to this recipient',
      fbtraceId: 'trace-1',
    });
  });

  it('classifies an expired token as halt-sending', async () => {
    handler = (_req, res) =>
      json(res, 401, {
        error: {
          message: 'Invalid OAuth access token',
          type: 'OAuthException',
          code: 190,
          fbtrace_id: 't',
        },
      });

    expect(await client().sendText('1', '4915112345678', 'Hi')).toMatchObject({
      kind: 'rejected',
      httpStatus: 401,
      code: 190,
      category: 'halt-sending',
    });
  });

  it('treats a 5xx Graph error and a bodiless 503 as retryable rejections', async () => {
    handler = (_req, res) =>
      json(res, 500, {
        error: {
          message: '(#2) Service temporarily unavailable',
          type: 'OAuthException',
          code: 2,
          fbtrace_id: 't',
        },
      });
    expect(await client().sendText('1', '4915112345678', 'Hi')).toMatchObject({
      kind: 'rejected',
      httpStatus: 500,
      code: 2,
      category: 'retry',
    });

    handler = (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html>unavailable</html>');
    };
    expect(await client().sendText('1', '4915112345678', 'Hi')).toEqual({
      kind: 'rejected',
      httpStatus: 503,
      code: null,
      title: 'HTTP 503',
      category: 'retry',
    });
  });

  it('does not claim a rejection for a gateway error without a Graph body: the request may have reached Meta', async () => {
    handler = (_req, res) => {
      res.writeHead(504);
      res.end();
    };
    expect(await client().sendText('1', '4915112345678', 'Hi')).toMatchObject({
      kind: 'unknown',
      reason: 'network',
    });
  });

  it('returns unknown/timeout when Meta does not answer in time', async () => {
    handler = () => undefined; // never answers

    const started = Date.now();
    const result = await client(200).sendText('1', '4915112345678', 'Hi');

    expect(result).toMatchObject({ kind: 'unknown', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('returns unknown/network when the connection drops without an answer, and never echoes the recipient', async () => {
    handler = (req) => req.socket.destroy();

    const result = await client().sendText('1', '4915112345678', 'Hi');

    expect(result).toMatchObject({ kind: 'unknown', reason: 'network' });
    expect(JSON.stringify(result)).not.toContain('4915112345678');
  });

  it('keeps its connection open: consecutive sends reuse one socket', async () => {
    handler = (_req, res) => json(res, 200, { messaging_product: 'whatsapp', contacts: [], messages: [{ id: 'wamid.keep' }] });
    const sockets = new Set<unknown>();
    const count = (req: IncomingMessage) => sockets.add(req.socket);
    server.on('request', count);
    try {
      const sender = client();
      for (let i = 0; i < 5; i++) expect(await sender.sendText('1', '4915112345678', `Hi ${i}`)).toMatchObject({ kind: 'accepted' });
      expect(sockets.size).toBe(1);
      sender.close();
    } finally {
      server.off('request', count);
    }
  });

  it('does not send at all when its connection comes after notAfter (late), and says so', async () => {
    handler = (_req, res) => json(res, 200, { messaging_product: 'whatsapp', contacts: [], messages: [{ id: 'wamid.late' }] });
    const result = await client().sendText('1', '4915112345678', 'Hi', 'decision-late', { notAfter: Date.now() - 1 });
    expect(result).toEqual({ kind: 'late' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toEqual([]);
    // In time, the same client sends normally.
    expect(await client().sendText('1', '4915112345678', 'Hi', 'decision-ok', { notAfter: Date.now() + 5000 })).toMatchObject({
      kind: 'accepted',
    });
    expect(requests).toHaveLength(1);
  });

  it('does not send when its new connection completes after notAfter (a process frozen while it connected)', async () => {
    handler = (_req, res) => json(res, 200, { messaging_product: 'whatsapp', contacts: [], messages: [{ id: 'wamid.late' }] });
    const notAfter = Date.now() + 5000;
    const realNow = Date.now.bind(Date);
    let asked = 0;
    // The check when the connection is handed over sees the time in bounds, the one when it connects
    // an hour later (the freeze), without waiting for it.
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + (asked++ === 0 ? 0 : 3_600_000));
    try {
      // A new client: a new connection, still connecting when it is handed over.
      expect(await client().sendText('1', '4915112345678', 'Hi', 'decision-frozen', { notAfter })).toEqual({ kind: 'late' });
    } finally {
      clock.mockRestore();
    }
    expect(asked).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toEqual([]);
  });

  it('returns unknown/refused when nothing listens (nothing reached Meta: a retry is safe)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const closed = new WhatsAppCloudClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiVersion: 'v25.0',
      accessToken: 'x',
      timeoutMs: 2000,
    });
    expect(await closed.sendText('1', '4915112345678', 'Hi')).toMatchObject({
      kind: 'unknown',
      reason: 'refused',
    });
  });

  it('classifies a timeout before any connection existed as refused, and one on a connection as in doubt', () => {
    const timeout = (neverConnected: boolean) =>
      Object.assign(new Error('no complete answer within 300 ms'), { name: 'TimeoutError', neverConnected });
    expect(unknownFrom(timeout(true), 300)).toMatchObject({ kind: 'unknown', reason: 'refused' });
    expect(unknownFrom(timeout(false), 300)).toMatchObject({ kind: 'unknown', reason: 'timeout' });
    const reset = (neverConnected: boolean) => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', neverConnected });
    expect(unknownFrom(reset(true), 300)).toMatchObject({ kind: 'unknown', reason: 'refused' });
    expect(unknownFrom(reset(false), 300)).toMatchObject({ kind: 'unknown', reason: 'network' });
  });
});
