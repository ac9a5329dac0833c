import { Body, Delete, Get, HttpCode, NotFoundException, Param, Post, Put, UsePipes, ValidationPipe } from '@nestjs/common';
import { BusinessApiController, BusinessId } from '@wt/business-auth';
import { ApiAnswer, ApiErrors, ApiNoContentOr404 } from '@wt/runtime';
import { AskDto, KnowledgeEntryDto, type KnowledgeEntryView } from './knowledge.dto';
import { type AskAnswer, KnowledgeService } from './knowledge.service';

/** OpenAPI shape of a KnowledgeEntryView. */
const ENTRY_VIEW = {
  type: 'object',
  required: ['id', 'language', 'question', 'variants', 'answer', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    language: { type: 'string', enum: ['fr', 'en'] },
    question: { type: 'string' },
    variants: { type: 'array', items: { type: 'string' }, description: 'Other ways people ask the question' },
    answer: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const ASK_ANSWER = {
  type: 'object',
  required: ['answers', 'language', 'confidence', 'threshold', 'entryId', 'answer'],
  properties: {
    answers: {
      type: 'boolean',
      description: 'Whether the assistant would answer (confidence at or over the threshold); otherwise it hands over',
    },
    language: { type: 'string', enum: ['fr', 'en'] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    threshold: { type: 'number', description: 'ANSWER_CONFIDENCE_THRESHOLD' },
    entryId: { type: 'string', nullable: true, description: 'The best entry, if any' },
    answer: { type: 'string', nullable: true, description: 'The reply it would send, when it answers' },
  },
};

/** The business's questions and answers. A business sees only its own: another's entry is a 404. */
@BusinessApiController('v1/knowledge', 'knowledge')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class KnowledgeController {
  constructor(private readonly knowledge: KnowledgeService) {}

  @Post()
  @ApiAnswer(201, 'The entry, as stored', ENTRY_VIEW)
  create(@BusinessId() businessId: string, @Body() dto: KnowledgeEntryDto): Promise<KnowledgeEntryView> {
    return this.knowledge.create(businessId, dto);
  }

  @Get()
  @ApiAnswer(200, "The business's entries", {
    type: 'object',
    required: ['entries'],
    properties: { entries: { type: 'array', items: ENTRY_VIEW } },
  })
  async list(@BusinessId() businessId: string): Promise<{ entries: KnowledgeEntryView[] }> {
    return { entries: await this.knowledge.list(businessId) };
  }

  @Get(':id')
  @ApiAnswer(200, 'The entry', ENTRY_VIEW)
  @ApiErrors({ 404: 'No such entry of this business' })
  async get(@BusinessId() businessId: string, @Param('id') id: string): Promise<KnowledgeEntryView> {
    const entry = await this.knowledge.get(businessId, id);
    if (!entry) throw new NotFoundException(`no knowledge entry ${id}`);
    return entry;
  }

  @Put(':id')
  @ApiAnswer(200, 'The entry, replaced', ENTRY_VIEW)
  @ApiErrors({ 404: 'No such entry of this business' })
  async replace(@BusinessId() businessId: string, @Param('id') id: string, @Body() dto: KnowledgeEntryDto): Promise<KnowledgeEntryView> {
    const entry = await this.knowledge.replace(businessId, id, dto);
    if (!entry) throw new NotFoundException(`no knowledge entry ${id}`);
    return entry;
  }

  @Delete(':id')
  @ApiNoContentOr404('Deleted', 'No such entry of this business')
  async remove(@BusinessId() businessId: string, @Param('id') id: string): Promise<void> {
    if (!(await this.knowledge.remove(businessId, id))) throw new NotFoundException(`no knowledge entry ${id}`);
  }

  /** What the assistant would do with a message: the best entry, its confidence, and whether it answers. */
  @Post('ask')
  @HttpCode(200)
  @ApiAnswer(200, 'What the assistant would do with this message', ASK_ANSWER)
  ask(@BusinessId() businessId: string, @Body() dto: AskDto): Promise<AskAnswer> {
    return this.knowledge.ask(businessId, dto.text);
  }
}
