import { isBusinessScopedUserId, isParentBusinessScopedUserId } from '@wt/identity';
import http from 'node:http';
import https from 'node:https';
import type { AcceptedMessageStatus, GraphError, SendMessageRequest, SendMessageResponse, TemplateMessage } from './cloud-api.types';
import { classifyWhatsAppError, whatsAppErrorTitle, type WhatsAppErrorCategory } from './whatsapp-error-codes';

export interface WhatsAppCloudClientOptions {
  /** `https://graph.facebook.com`, or the sandbox (`http://127.0.0.1:3005`). */
  baseUrl: string;
  /** Graph API version, e.g. `v25.0` (`DEFAULT_GRAPH_API_VERSION`). */
  apiVersion: string;
  /**
   * Called when Graph served a call with another version than asked (its `facebook-api-version`
   * header): the version asked for is retired, and Meta upgraded the call.
   */
  onVersionServed?: (asked: string, served: string) => void;
  /** System-user access token. */
  accessToken: string;
  /** Whole request, response body included. */
  timeoutMs: number;
  /** Connections kept open to the API (keep-alive, reused across sends); 64 when not given. */
  maxSockets?: number;
}

/** Meta accepted the message: statuses will follow by webhook. */
export interface SendAccepted {
  kind: 'accepted';
  wamid: string;
  /** The recipient's WhatsApp id. Personal data: never log it. */
  waId: string;
  messageStatus?: AcceptedMessageStatus;
}

/** Meta answered and refused the message: it was not sent. */
export interface SendRejected {
  kind: 'rejected';
  httpStatus: number;
  /** Meta's error code; `null` when the response carried no Graph error (a proxy's 503, say). */
  code: number | null;
  subcode?: number;
  title: string;
  category: WhatsAppErrorCategory;
  /** Meta's `error_data.details`. */
  details?: string;
  fbtraceId?: string;
}

/**
 * We do not know whether Meta accepted the message (timeout, connection lost, gateway error,
 * unreadable success). Resending blindly may message the person twice: reconcile first
 * (a status webhook carrying the message's `biz_opaque_callback_data` proves it was accepted).
 */
export interface SendUnknown {
  kind: 'unknown';
  /**
   * `refused`: no connection to Meta ever existed for this request (refused, unresolvable, a
   * connect that hung until the timeout, no pooled socket in time): nothing reached Meta, so a
   * retry is safe. `timeout` and `network` happened on a connection: the request may have arrived.
   */
  reason: 'timeout' | 'network' | 'refused';
  /** Technical detail for logs; never contains the recipient. */
  detail: string;
}

/**
 * Not sent: the connection came later than the caller's `notAfter` (a busy process), and the
 * request was dropped before a byte of it was written. Nothing reached Meta.
 */
export interface SendLate {
  kind: 'late';
}

/** When a send may still leave: past `notAfter` (`Date.now()` ms) when its connection is ready, it is not sent. */
export interface SendOptions {
  notAfter?: number;
  /**
   * `marketing_messages`: Meta's Marketing Messages API for WhatsApp (`POST /{phone-number-id}/marketing_messages`,
   * marketing templates only, the template's time-to-live honoured); default `messages`, the Cloud API.
   */
  endpoint?: 'messages' | 'marketing_messages';
}

export type SendResult = SendAccepted | SendRejected | SendUnknown | SendLate;

const LATE = 'SendLateError';

/** Gateway errors without a Graph body: the request may have reached Meta. */
const AMBIGUOUS_GATEWAY_STATUSES = new Set([502, 504]);

/** Client of the Cloud API send endpoint. Never throws for an API or network failure: it returns a `SendResult`. */
export class WhatsAppCloudClient {
  private readonly baseUrl: string;
  private readonly transport: typeof http | typeof https;
  /** Keep-alive connections: a send reuses an open connection instead of a new TCP (and TLS) handshake. */
  private readonly agent: http.Agent;

  constructor(private readonly options: WhatsAppCloudClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.transport = new URL(this.baseUrl).protocol === 'https:' ? https : http;
    // `timeout` bounds how long a connection idles; it also lets the agent honour the server's
    // `Keep-Alive: timeout=` hint (a second early), so a send never goes out on a connection the
    // server is closing (an ECONNRESET there would leave the send in doubt).
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo', timeout: 60_000 });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  sendTemplate(
    phoneNumberId: string,
    to: string,
    template: TemplateMessage,
    bizOpaqueCallbackData?: string,
    options: SendOptions = {},
  ): Promise<SendResult> {
    return this.sendMessage(phoneNumberId, { ...toIndividual(to, bizOpaqueCallbackData), type: 'template', template }, options);
  }

  sendText(
    phoneNumberId: string,
    to: string,
    body: string,
    bizOpaqueCallbackData?: string,
    options: SendOptions = {},
  ): Promise<SendResult> {
    return this.sendMessage(phoneNumberId, { ...toIndividual(to, bizOpaqueCallbackData), type: 'text', text: { body } }, options);
  }

  async sendMessage(phoneNumberId: string, request: SendMessageRequest, options: SendOptions = {}): Promise<SendResult> {
    const url = `${this.baseUrl}/${this.options.apiVersion}/${encodeURIComponent(phoneNumberId)}/${options.endpoint ?? 'messages'}`;
    let answer: { httpStatus: number; text: string };
    try {
      answer = await this.post(url, JSON.stringify(request), options.notAfter);
    } catch (error) {
      if ((error as { name?: unknown }).name === LATE) return { kind: 'late' };
      return unknownFrom(error, this.options.timeoutMs);
    }
    return interpret(answer.httpStatus, answer.text);
  }

  /** One POST on a kept-alive connection; rejects on a network failure or after `timeoutMs` (whole answer). */
  private post(url: string, body: string, notAfter?: number): Promise<{ httpStatus: number; text: string }> {
    return this.request(url, body, notAfter);
  }

  private request(url: string, body: string, notAfter?: number): Promise<{ httpStatus: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = this.transport.request(url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          authorization: `Bearer ${this.options.accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      });
      // Whether a connection to Meta ever existed for this request: a failure before that means
      // nothing reached Meta (no socket from the pool in time, a connect that hung or failed),
      // so a retry cannot message the person twice.
      let connected = false;
      // The last moments before the request is written: 'socket' comes right before the flush on a
      // kept-alive connection; on a new one the flush waits for its 'connect' (checked first: a
      // process that froze while connecting sends nothing after its caller's deadline).
      const late = () => notAfter !== undefined && Date.now() > notAfter;
      const tooLate = () => req.destroy(Object.assign(new Error('the connection came too late for this send'), { name: LATE }));
      req.on('socket', (socket) => {
        if (late()) {
          tooLate();
          return;
        }
        if (!socket.connecting) connected = true;
        else
          socket.prependOnceListener('connect', () => {
            if (late()) tooLate();
            else connected = true;
          });
      });
      const failed = (error: Error) => Object.assign(error, { neverConnected: !connected });
      const timer = setTimeout(
        () =>
          req.destroy(failed(Object.assign(new Error(`no complete answer within ${this.options.timeoutMs} ms`), { name: 'TimeoutError' }))),
        this.options.timeoutMs,
      );
      req.on('response', (res) => {
        const served = res.headers['facebook-api-version'];
        if (typeof served === 'string' && served !== this.options.apiVersion)
          this.options.onVersionServed?.(this.options.apiVersion, served);
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ httpStatus: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      req.on('error', (error) => {
        clearTimeout(timer);
        reject('neverConnected' in error ? error : failed(error));
      });
      req.end(body);
    });
  }
}

function interpret(httpStatus: number, text: string): SendResult {
  const body = parseJson(text);
  if (httpStatus >= 200 && httpStatus < 300) {
    const success = body as Partial<SendMessageResponse> | undefined;
    const message = success?.messages?.[0];
    if (typeof message?.id !== 'string') {
      return {
        kind: 'unknown',
        reason: 'network',
        detail: `HTTP ${httpStatus} without a message id in the body`,
      };
    }
    return {
      kind: 'accepted',
      wamid: message.id,
      waId: success?.contacts?.[0]?.wa_id ?? '',
      ...(message.message_status ? { messageStatus: message.message_status } : {}),
    };
  }
  const error = graphErrorOf(body);
  if (!error) {
    if (AMBIGUOUS_GATEWAY_STATUSES.has(httpStatus)) {
      return {
        kind: 'unknown',
        reason: 'network',
        detail: `HTTP ${httpStatus} without a Graph error body`,
      };
    }
    return {
      kind: 'rejected',
      httpStatus,
      code: null,
      title: `HTTP ${httpStatus}`,
      category: classifyWhatsAppError(null, httpStatus),
    };
  }
  return {
    kind: 'rejected',
    httpStatus,
    code: error.code,
    ...(typeof error.error_subcode === 'number' ? { subcode: error.error_subcode } : {}),
    title: whatsAppErrorTitle(error.code),
    category: classifyWhatsAppError(error.code, httpStatus),
    ...(typeof error.error_data?.details === 'string' ? { details: error.error_data.details } : {}),
    ...(typeof error.fbtrace_id === 'string' ? { fbtraceId: error.fbtrace_id } : {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function graphErrorOf(body: unknown): GraphError | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  return typeof (error as { code?: unknown }).code === 'number' ? (error as GraphError) : undefined;
}

/** What a failed call means: `refused` when no connection ever existed (retry-safe), else in doubt. */
export function unknownFrom(error: unknown, timeoutMs: number): SendUnknown {
  // Duck-typed: the DOMException of an aborted fetch is not an `Error` of every realm (jest, vm).
  const failure = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    cause?: { code?: unknown };
    neverConnected?: unknown;
  };
  if (failure.neverConnected === true) {
    const what = failure.name === 'TimeoutError' ? `no connection within ${timeoutMs} ms` : String(failure.message);
    return { kind: 'unknown', reason: 'refused', detail: `${what}: the request never reached Meta` };
  }
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') {
    return {
      kind: 'unknown',
      reason: 'timeout',
      detail: `no complete answer within ${timeoutMs} ms`,
    };
  }
  // node:http puts the system error code (ECONNRESET, ECONNREFUSED...) on the error itself; fetch in `cause`.
  const message = typeof failure.message === 'string' ? failure.message : String(error);
  const own = (failure as { code?: unknown }).code;
  const code = typeof own === 'string' ? own : typeof failure.cause?.code === 'string' ? failure.cause.code : undefined;
  const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  return { kind: 'unknown', reason: refused ? 'refused' : 'network', detail: code ? `${message} (${code})` : message };
}

/**
 * `to` for a number, `recipient` for a business-scoped user id (a person who shares no number):
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
export function addressed(to: string): { to: string } | { recipient: string } {
  return isBusinessScopedUserId(to) || isParentBusinessScopedUserId(to) ? { recipient: to } : { to };
}

/** The fields every message to one person carries: the product, the recipient and our callback data (when given). */
function toIndividual(to: string, bizOpaqueCallbackData: string | undefined) {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    ...addressed(to),
    ...(bizOpaqueCallbackData === undefined ? {} : { biz_opaque_callback_data: bizOpaqueCallbackData }),
  } as const;
}
