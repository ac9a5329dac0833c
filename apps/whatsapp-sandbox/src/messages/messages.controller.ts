import { type BeforeApplicationShutdown, Body, Controller, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { SendMessageRequest } from '@wt/whatsapp';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessTokenGuard } from '../graph/access-token.guard';
import { GraphApiError } from '../graph/graph-api.error';
import { sendJson } from '../graph/send-json';
import { MessagesService, type SendOutcome } from './messages.service';
import { SendMessagePipe } from './send-message.pipe';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors } from '@wt/runtime';
import { GRAPH_ERROR_SCHEMA, SEND_RESPONSE_SCHEMA } from '../openapi/sandbox-schemas';
import { SendMessageDto } from './send-message.dto';

/** The Cloud API send endpoint: `POST /{version}/{phone-number-id}/messages`. */
@Controller()
@UseGuards(AccessTokenGuard)
@ApiTags('graph api')
@ApiBearerAuth()
export class MessagesController implements BeforeApplicationShutdown {
  /** Requests a `hang` fault holds open, released only when the client gives up or the sandbox closes. */
  private readonly held = new Set<ServerResponse>();

  constructor(private readonly messages: MessagesService) {}

  @Post(':version/:phoneNumberId/messages')
  @ApiBody({ type: SendMessageDto })
  @ApiAnswer(200, 'Accepted: statuses follow as signed webhooks', SEND_RESPONSE_SCHEMA)
  @ApiErrors(
    {
      400: 'Graph error 100 naming the parameter, 130429 throughput, 131056 pair rate, 132000 parameter count, 131047 outside the 24 h window...',
      401: 'Graph error 190: no valid access token',
      404: 'Graph error 132001: no approved template of this name in this language',
      413: 'The body is too large',
      429: 'An injected fault (code 4 or 80007)',
      500: 'An injected fault (code 1, 3 or 131000)',
      503: 'An injected fault (code 2, 131016 or 133004); a `bare` fault answers its status without a Graph body',
    },
    GRAPH_ERROR_SCHEMA,
  )
  send(
    @Param('version') version: string,
    @Param('phoneNumberId') phoneNumberId: string,
    @Body(SendMessagePipe) body: SendMessageRequest,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): void {
    // Known and served versions only reach this point (graph-version.ts).
    if (!/^v\d+\.\d+$/.test(version)) throw new GraphApiError(400, 100, `(#100) Unknown API version ${version}`);
    if (!/^\d{1,32}$/.test(phoneNumberId)) {
      throw new GraphApiError(400, 100, `(#100) Unsupported post request. Object with ID '${phoneNumberId}' does not exist`);
    }
    this.answer(this.messages.send(phoneNumberId, body), request, response);
  }

  /**
   * The Marketing Messages API for WhatsApp: marketing templates only, the same body and answers as
   * the Cloud API (Meta: "MM API uses the same error codes as Cloud API, with a few additions").
   */
  @Post(':version/:phoneNumberId/marketing_messages')
  @ApiBody({ type: SendMessageDto })
  @ApiAnswer(200, 'Accepted: statuses follow as signed webhooks', SEND_RESPONSE_SCHEMA)
  @ApiErrors(
    {
      400: 'Graph error 100: not a template message, or not a marketing template; 131009: the template is not synced with the ad account yet; and every answer of the Cloud API send',
      401: 'Graph error 190: no valid access token',
      404: 'Graph error 132001: no approved template of this name in this language',
    },
    GRAPH_ERROR_SCHEMA,
  )
  sendMarketing(
    @Param('phoneNumberId') phoneNumberId: string,
    @Body(SendMessagePipe) body: SendMessageRequest,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): void {
    if (!/^\d{1,32}$/.test(phoneNumberId)) {
      throw new GraphApiError(400, 100, `(#100) Unsupported post request. Object with ID '${phoneNumberId}' does not exist`);
    }
    this.answer(this.messages.sendMarketing(phoneNumberId, body), request, response);
  }

  private answer(outcome: SendOutcome, request: IncomingMessage, response: ServerResponse): void {
    switch (outcome.kind) {
      case 'rejected':
        throw outcome.error;
      case 'bare': {
        // What a proxy in front of Meta answers: an HTML page, no Graph error.
        const html = `<html><body><h1>${outcome.httpStatus}</h1>Upstream unavailable</body></html>`;
        response.writeHead(outcome.httpStatus, {
          'content-type': 'text/html; charset=UTF-8',
          'content-length': Buffer.byteLength(html),
        });
        response.end(html);
        return;
      }
      case 'hang':
        this.held.add(response);
        response.on('close', () => this.held.delete(response));
        return;
      case 'accepted':
        if (outcome.dropConnection) {
          // Meta took the message; the client never hears it.
          request.socket.destroy();
          return;
        }
        sendJson(response, 200, outcome.response);
        return;
    }
  }

  /** Before the HTTP server closes: it would otherwise wait for held requests for ever. */
  beforeApplicationShutdown(): void {
    for (const response of this.held) response.socket?.destroy();
    this.held.clear();
  }
}
