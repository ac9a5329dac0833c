/**
 * Test support (not used by the running sandbox): the sandbox on an ephemeral port and a
 * webhook receiver on another, both real HTTP.
 */
import type { INestApplication } from '@nestjs/common';
import {
  type MessageStatusUpdate,
  statusesOf,
  WEBHOOK_SIGNATURE_HEADER,
  WhatsAppCloudClient,
  type WhatsAppWebhookPayload,
} from '@wt/whatsapp';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSandboxApp } from '../sandbox-app';

export interface RunningSandbox {
  app: INestApplication;
  baseUrl: string;
  accessToken: string;
  appSecret: string;
  /** A client of the sandbox, as the dispatcher would build it. */
  client(timeoutMs?: number): WhatsAppCloudClient;
  /** A JSON request with the right bearer token unless headers say otherwise. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Starts the sandbox with fresh random secrets, fast statuses and fast webhook retries; `env` overrides. */
export async function startSandbox(env: Record<string, string> = {}): Promise<RunningSandbox> {
  const accessToken = randomBytes(24).toString('hex');
  const appSecret = randomBytes(24).toString('hex');
  const app = await createSandboxApp(
    {
      SANDBOX_ACCESS_TOKEN: accessToken,
      SANDBOX_APP_SECRET: appSecret,
      SANDBOX_STATUS_DELAY_MS: '5',
      SANDBOX_WEBHOOK_RETRY_BASE_MS: '20',
      ...env,
    },
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    baseUrl,
    accessToken,
    appSecret,
    client: (timeoutMs = 2000) => new WhatsAppCloudClient({ baseUrl, apiVersion: 'v25.0', accessToken, timeoutMs }),
    async request(method, path, body, headers = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json',
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    close: () => app.close(),
  };
}

export interface ReceivedWebhook {
  signature: string | undefined;
  rawBody: Buffer;
  payload: WhatsAppWebhookPayload;
}

export interface WebhookReceiver {
  url: string;
  /** Webhooks answered 200, in arrival order. */
  received: ReceivedWebhook[];
  /** Answers the next `count` webhooks with HTTP 500. */
  failNext(count: number): void;
  /** Statuses received for one wamid, in arrival order. */
  statusesFor(wamid: string): MessageStatusUpdate[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let failures = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        res.writeHead(500).end();
        return;
      }
      const rawBody = Buffer.concat(chunks);
      const signature = req.headers[WEBHOOK_SIGNATURE_HEADER];
      received.push({
        signature: typeof signature === 'string' ? signature : undefined,
        rawBody,
        payload: JSON.parse(rawBody.toString('utf8')) as WhatsAppWebhookPayload,
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks/whatsapp`,
    received,
    failNext: (count) => {
      failures = count;
    },
    statusesFor: (wamid) =>
      received.flatMap((webhook) => statusesOf(webhook.payload).map((entry) => entry.status)).filter((status) => status.id === wamid),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Polls until `probe` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** A distinct, valid recipient per call, so that tests do not trip the pair limit on each other. */
let recipientCounter = 0;
export function nextRecipient(prefix = '49151'): string {
  recipientCounter++;
  return `+${prefix}${String(recipientCounter).padStart(8, '0')}`;
}

/** A running sandbox and the receiver its webhooks go to, set once the suite's `beforeAll` has run. */
export interface SandboxBed {
  readonly sandbox: RunningSandbox;
  readonly receiver: WebhookReceiver;
}

/**
 * Registers the suite's hooks: before all, a webhook receiver and a sandbox posting to it (`env`
 * adds to `SANDBOX_WEBHOOK_URL`); after all, both closed. Read `sandbox` and `receiver` in tests.
 */
export function useSandbox(env: Record<string, string> = {}): SandboxBed {
  const bed: { sandbox?: RunningSandbox; receiver?: WebhookReceiver } = {};
  beforeAll(async () => {
    bed.receiver = await startWebhookReceiver();
    bed.sandbox = await startSandbox({ SANDBOX_WEBHOOK_URL: bed.receiver.url, ...env });
  });
  afterAll(async () => {
    await bed.sandbox?.close();
    await bed.receiver?.close();
  });
  return {
    get sandbox(): RunningSandbox {
      if (!bed.sandbox) throw new Error('the sandbox starts in beforeAll');
      return bed.sandbox;
    },
    get receiver(): WebhookReceiver {
      if (!bed.receiver) throw new Error('the receiver starts in beforeAll');
      return bed.receiver;
    },
  };
}
