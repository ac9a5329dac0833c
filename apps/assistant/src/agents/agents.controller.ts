import { Body, ConflictException, Get, HttpCode, NotFoundException, Param, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { BusinessApiController, BusinessId } from '@wt/business-auth';
import { ApiAnswer, ApiErrors, ApiNoContentOr404 } from '@wt/runtime';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { type Handoff, HandoffService } from '../conversation/handoff.service';
import { AgentReplyService } from './agent-reply.service';

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
@BusinessApiController('v1/handoffs', 'handoffs')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class AgentsController {
  constructor(
    private readonly handoffs: HandoffService,
    private readonly replies: AgentReplyService,
  ) {}

  @Get()
  @ApiAnswer(200, 'The open handoffs, latest message first', {
    type: 'object',
    properties: { handoffs: { type: 'array', items: HANDOFF } },
  })
  async open(@BusinessId() businessId: string): Promise<{ handoffs: Handoff[] }> {
    return { handoffs: await this.handoffs.open(businessId) };
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
    const outcome = await this.replies.reply(businessId, personId, dto.agent, dto.text);
    if (outcome === 'not_handed_off') throw new NotFoundException(`no conversation handed over for person ${personId}`);
    if (outcome === 'window_closed') throw new ConflictException('the 24 h service window is closed: only a template may be sent');
    return outcome;
  }

  /** The conversation goes back to the bot: the next message is answered by the assistant again. */
  @Post(':personId/release')
  @ApiNoContentOr404('Given back to the bot', 'No conversation handed over for this person')
  async release(@BusinessId() businessId: string, @Param('personId') personId: string): Promise<void> {
    if (!(await this.handoffs.release(businessId, personId)))
      throw new NotFoundException(`no conversation handed over for person ${personId}`);
  }
}
