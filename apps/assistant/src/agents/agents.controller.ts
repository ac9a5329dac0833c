import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BusinessAuthGuard, BusinessId } from '@wt/business-auth';
import { type AssistantReplyV1, Topic } from '@wt/contracts';
import { returnedRows } from '@wt/database';
import { KafkaPublisher } from '@wt/kafka';
import { ApiAnswer, ApiErrors } from '@wt/runtime';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isWindowOpen } from '../conversation/assistant-policy';

/** POST /v1/handoffs/{personId}/replies: an agent's reply, sent as is. */
export class AgentReplyDto {
  /** Who answers (a name or an id of the business's team), kept with the reply. */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  agent: string;

  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  text: string;
}

const PERSON_ID = /^[0-9a-f]{64}$/;

interface HandoffRow {
  person_id: string;
  language: string;
  handed_off_at: Date | null;
  last_inbound_at: Date;
  phone_number_id: string;
  contact: string;
}

const HANDOFF = {
  type: 'object',
  required: ['personId', 'language', 'lastInboundAt', 'windowOpen'],
  properties: {
    personId: { type: 'string' },
    language: { type: 'string', enum: ['en', 'fr'] },
    handedOffAt: { type: 'string', format: 'date-time', nullable: true },
    lastInboundAt: { type: 'string', format: 'date-time' },
    windowOpen: { type: 'boolean' },
  },
};

/**
 * The business's agents (issue 20, point 6): the conversations handed over to them, their replies
 * (free-form, only inside the 24 h service window, sent by the dispatcher like the bot's), and
 * giving a conversation back to the bot. Every query is scoped by the business of the API key.
 */
@Controller('v1/handoffs')
@UseGuards(BusinessAuthGuard)
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
@ApiTags('handoffs')
@ApiBearerAuth()
@ApiErrors({ 401: 'No business API key, or not a valid one' })
export class AgentsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: KafkaPublisher,
  ) {}

  @Get()
  @ApiAnswer(200, 'The open handoffs, latest message first', {
    type: 'object',
    properties: { handoffs: { type: 'array', items: HANDOFF } },
  })
  async open(@BusinessId() businessId: string) {
    const rows: HandoffRow[] = await this.dataSource.query(
      `SELECT person_id, language, handed_off_at, last_inbound_at, phone_number_id, contact FROM conversation
       WHERE business_id = $1 AND state = 'handed_off' ORDER BY last_inbound_at DESC LIMIT 500`,
      [businessId],
    );
    const now = new Date();
    return {
      handoffs: rows.map((row) => ({
        personId: row.person_id,
        language: row.language,
        handedOffAt: row.handed_off_at?.toISOString() ?? null,
        lastInboundAt: row.last_inbound_at.toISOString(),
        windowOpen: isWindowOpen(row.last_inbound_at, now),
      })),
    };
  }

  /** 202: queued for the dispatcher; 409 when the 24 h window is closed (only a template may be sent then). */
  @Post(':personId/replies')
  @HttpCode(202)
  @ApiAnswer(202, 'Queued for sending', { type: 'object', required: ['replyId'], properties: { replyId: { type: 'string' } } })
  @ApiErrors({ 400: 'No agent or no text', 404: 'No conversation handed over for this person', 409: 'The 24 h service window is closed' })
  async reply(
    @BusinessId() businessId: string,
    @Param('personId') personId: string,
    @Body() dto: AgentReplyDto,
  ): Promise<{ replyId: string }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: HandoffRow[] = PERSON_ID.test(personId)
        ? await manager.query(
            `SELECT person_id, language, handed_off_at, last_inbound_at, phone_number_id, contact FROM conversation
             WHERE business_id = $1 AND person_id = $2 AND state = 'handed_off' FOR UPDATE`,
            [businessId, personId],
          )
        : [];
      const row = rows[0];
      if (!row) throw new NotFoundException(`no conversation handed over for person ${personId}`);
      const now = new Date();
      if (!isWindowOpen(row.last_inbound_at, now))
        throw new ConflictException('the 24 h service window is closed: only a template may be sent');
      const replyId = `agent-${randomUUID()}`;
      await manager.query(
        `INSERT INTO agent_reply (reply_id, business_id, person_id, agent, text, sent_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [replyId, businessId, personId, dto.agent, dto.text, now.toISOString()],
      );
      const reply: AssistantReplyV1 = {
        replyId,
        businessId,
        personId,
        contact: row.contact,
        phoneNumberId: row.phone_number_id,
        text: dto.text,
        requestedAt: now.toISOString(),
      };
      // Acknowledged by the brokers before the commit: a failure rolls the reply back, nothing half-done.
      await this.publisher.publish(Topic.AssistantRepliesV1, [{ key: personId, value: reply }]);
      return { replyId };
    });
  }

  /** The conversation goes back to the bot: the next message is answered by the assistant again. */
  @Post(':personId/release')
  @HttpCode(204)
  @ApiAnswer(204, 'Given back to the bot')
  @ApiErrors({ 404: 'No conversation handed over for this person' })
  async release(@BusinessId() businessId: string, @Param('personId') personId: string): Promise<void> {
    const result: unknown = PERSON_ID.test(personId)
      ? await this.dataSource.query(
          `UPDATE conversation SET state = 'bot', handed_off_at = NULL, updated_at = now()
           WHERE business_id = $1 AND person_id = $2 AND state = 'handed_off' RETURNING person_id`,
          [businessId, personId],
        )
      : [];
    if (returnedRows(result).length === 0) throw new NotFoundException(`no conversation handed over for person ${personId}`);
  }
}
