import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AssistantConfig } from '../assistant.config';
import { EmbeddingModel } from '../retrieval/embedding-model';
import { KnowledgeIndex } from '../retrieval/knowledge-index';
import { type KnowledgeEntryDto, type KnowledgeEntryView } from './knowledge.dto';
import { KnowledgeStore } from './knowledge.store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the assistant would do with a message (POST /v1/knowledge/ask). */
export interface AskAnswer {
  answers: boolean;
  language: string;
  confidence: number;
  threshold: number;
  entryId: string | null;
  answer: string | null;
}

/**
 * The businesses' knowledge bases: their changes (each in one transaction with the business's
 * knowledge version, which tells every replica to rebuild its search index) and the search index
 * itself. An entry of another business, or an id that is no entry id, is "not found".
 */
@Injectable()
export class KnowledgeService {
  private readonly indexes = new Map<string, { version: string; index: KnowledgeIndex }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: KnowledgeStore,
    private readonly model: EmbeddingModel,
    private readonly config: AssistantConfig,
  ) {}

  create(businessId: string, dto: KnowledgeEntryDto): Promise<KnowledgeEntryView> {
    return this.dataSource.transaction(async (manager) => {
      const entry = await this.store.insert(manager, businessId, dto);
      await this.store.bump(manager, businessId);
      return entry;
    });
  }

  list(businessId: string): Promise<KnowledgeEntryView[]> {
    return this.store.list(businessId);
  }

  async get(businessId: string, entryId: string): Promise<KnowledgeEntryView | undefined> {
    return UUID.test(entryId) ? this.store.get(businessId, entryId) : undefined;
  }

  async replace(businessId: string, entryId: string, dto: KnowledgeEntryDto): Promise<KnowledgeEntryView | undefined> {
    if (!UUID.test(entryId)) return undefined;
    return this.dataSource.transaction(async (manager) => {
      const entry = await this.store.update(manager, businessId, entryId, dto);
      if (entry) await this.store.bump(manager, businessId);
      return entry;
    });
  }

  async remove(businessId: string, entryId: string): Promise<boolean> {
    if (!UUID.test(entryId)) return false;
    return this.dataSource.transaction(async (manager) => {
      const removed = await this.store.delete(manager, businessId, entryId);
      if (removed) await this.store.bump(manager, businessId);
      return removed;
    });
  }

  /** The business's search index, rebuilt only when its knowledge version moved (each entry embedded once then). */
  async index(businessId: string): Promise<KnowledgeIndex> {
    const version = await this.store.version(businessId);
    const cached = this.indexes.get(businessId);
    if (cached && cached.version === version) return cached.index;
    const index = await KnowledgeIndex.build(await this.store.list(businessId), this.model.embedder);
    this.indexes.set(businessId, { version, index });
    return index;
  }

  /** The best entry for a message, its confidence, and whether the assistant would answer with it. */
  async ask(businessId: string, text: string): Promise<AskAnswer> {
    const { best, language } = await (await this.index(businessId)).answer(text);
    const answers =
      best !== undefined && best.confidence >= this.config.ANSWER_CONFIDENCE_THRESHOLD && best.margin >= this.config.ANSWER_MARGIN;
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
