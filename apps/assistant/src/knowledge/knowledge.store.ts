import { Injectable } from '@nestjs/common';
import { type AssistantLanguage } from '@wt/contracts';
import { returnedRows } from '@wt/database';
import { DataSource, type EntityManager } from 'typeorm';
import { EmbeddingModel } from '../retrieval/embedding-model';
import { KnowledgeIndex } from '../retrieval/knowledge-index';
import { type KnowledgeEntryDto, type KnowledgeEntryView } from './knowledge.dto';

interface EntryRow {
  entry_id: string;
  language: AssistantLanguage;
  question: string;
  variants: string[];
  answer: string;
  created_at: Date;
  updated_at: Date;
}

const view = (row: EntryRow): KnowledgeEntryView => ({
  id: row.entry_id,
  language: row.language,
  question: row.question,
  variants: row.variants,
  answer: row.answer,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The knowledge base of every business. Every query is scoped by business id: an entry of another
 * business is "not found". Each change bumps the business's knowledge version, which tells every
 * replica to rebuild its search index.
 */
@Injectable()
export class KnowledgeStore {
  private readonly indexes = new Map<string, { version: string; index: KnowledgeIndex }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly model: EmbeddingModel,
  ) {}

  async create(businessId: string, dto: KnowledgeEntryDto): Promise<KnowledgeEntryView> {
    return this.dataSource.transaction(async (manager) => {
      const rows: EntryRow[] = await manager.query(
        `INSERT INTO knowledge_entry (business_id, language, question, variants, answer) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [businessId, dto.language, dto.question, dto.variants ?? [], dto.answer],
      );
      await this.bump(manager, businessId);
      return view(rows[0]!);
    });
  }

  async list(businessId: string): Promise<KnowledgeEntryView[]> {
    const rows: EntryRow[] = await this.dataSource.query(
      `SELECT * FROM knowledge_entry WHERE business_id = $1 ORDER BY created_at, entry_id`,
      [businessId],
    );
    return rows.map(view);
  }

  async get(businessId: string, entryId: string): Promise<KnowledgeEntryView | undefined> {
    if (!UUID.test(entryId)) return undefined;
    const rows: EntryRow[] = await this.dataSource.query(`SELECT * FROM knowledge_entry WHERE business_id = $1 AND entry_id = $2`, [
      businessId,
      entryId,
    ]);
    return rows[0] ? view(rows[0]) : undefined;
  }

  async replace(businessId: string, entryId: string, dto: KnowledgeEntryDto): Promise<KnowledgeEntryView | undefined> {
    if (!UUID.test(entryId)) return undefined;
    return this.dataSource.transaction(async (manager) => {
      const result: unknown = await manager.query(
        `UPDATE knowledge_entry SET language = $3, question = $4, variants = $5, answer = $6, updated_at = now()
         WHERE business_id = $1 AND entry_id = $2 RETURNING *`,
        [businessId, entryId, dto.language, dto.question, dto.variants ?? [], dto.answer],
      );
      const row = returnedRows<EntryRow>(result)[0];
      if (row) await this.bump(manager, businessId);
      return row ? view(row) : undefined;
    });
  }

  async remove(businessId: string, entryId: string): Promise<boolean> {
    if (!UUID.test(entryId)) return false;
    return this.dataSource.transaction(async (manager) => {
      const result: unknown = await manager.query(
        `DELETE FROM knowledge_entry WHERE business_id = $1 AND entry_id = $2 RETURNING entry_id`,
        [businessId, entryId],
      );
      const removed = returnedRows(result).length > 0;
      if (removed) await this.bump(manager, businessId);
      return removed;
    });
  }

  /** The business's search index, rebuilt only when its knowledge version moved (each entry embedded once then). */
  async index(businessId: string): Promise<KnowledgeIndex> {
    const versions: { knowledge_version: string }[] = await this.dataSource.query(
      `SELECT knowledge_version FROM business WHERE business_id = $1`,
      [businessId],
    );
    const version = versions[0]?.knowledge_version ?? 'none';
    const cached = this.indexes.get(businessId);
    if (cached && cached.version === version) return cached.index;
    const entries = await this.list(businessId);
    const index = await KnowledgeIndex.build(entries, this.model.embedder);
    this.indexes.set(businessId, { version, index });
    return index;
  }

  private async bump(manager: EntityManager, businessId: string): Promise<void> {
    await manager.query(
      `INSERT INTO business (business_id, knowledge_version) VALUES ($1, 1)
       ON CONFLICT (business_id) DO UPDATE SET knowledge_version = business.knowledge_version + 1`,
      [businessId],
    );
  }
}
