import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Put, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import { AssistantConfig } from '../assistant.config';
import { BusinessAuthGuard, BusinessId } from '@wt/business-auth';
import { AskDto, KnowledgeEntryDto, type KnowledgeEntryView } from './knowledge.dto';
import { KnowledgeStore } from './knowledge.store';

/** The business's questions and answers. A business sees only its own: another's entry is a 404. */
@Controller('v1/knowledge')
@UseGuards(BusinessAuthGuard)
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class KnowledgeController {
  constructor(
    private readonly knowledge: KnowledgeStore,
    private readonly config: AssistantConfig,
  ) {}

  @Post()
  create(@BusinessId() businessId: string, @Body() dto: KnowledgeEntryDto): Promise<KnowledgeEntryView> {
    return this.knowledge.create(businessId, dto);
  }

  @Get()
  async list(@BusinessId() businessId: string): Promise<{ entries: KnowledgeEntryView[] }> {
    return { entries: await this.knowledge.list(businessId) };
  }

  @Get(':id')
  async get(@BusinessId() businessId: string, @Param('id') id: string): Promise<KnowledgeEntryView> {
    const entry = await this.knowledge.get(businessId, id);
    if (!entry) throw new NotFoundException(`no knowledge entry ${id}`);
    return entry;
  }

  @Put(':id')
  async replace(@BusinessId() businessId: string, @Param('id') id: string, @Body() dto: KnowledgeEntryDto): Promise<KnowledgeEntryView> {
    const entry = await this.knowledge.replace(businessId, id, dto);
    if (!entry) throw new NotFoundException(`no knowledge entry ${id}`);
    return entry;
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@BusinessId() businessId: string, @Param('id') id: string): Promise<void> {
    if (!(await this.knowledge.remove(businessId, id))) throw new NotFoundException(`no knowledge entry ${id}`);
  }

  /** What the assistant would do with a message: the best entry, its confidence, and whether it answers. */
  @Post('ask')
  @HttpCode(200)
  async ask(@BusinessId() businessId: string, @Body() dto: AskDto) {
    const { best, language } = (await this.knowledge.index(businessId)).answer(dto.text);
    const answers = best !== undefined && best.confidence >= this.config.ANSWER_CONFIDENCE_THRESHOLD;
    return {
      answers,
      language,
      confidence: best?.confidence ?? 0,
      threshold: this.config.ANSWER_CONFIDENCE_THRESHOLD,
      entryId: best?.entry.id ?? null,
      answer: answers ? best.entry.answer : null,
    };
  }
}
