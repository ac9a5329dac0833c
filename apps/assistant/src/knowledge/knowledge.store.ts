import { Injectable } from '@nestjs/common';
import { type AssistantLanguage } from '@wt/contracts';
import { returnedRows } from '@wt/database';
import { DataSource, type EntityManager } from 'typeorm';
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

/**
 * The knowledge base of every business (`knowledge_entry`) and each business's knowledge version
 * (`business`). Every query is scoped by business id. The writes run in the caller's transaction
 * (KnowledgeService opens it): a change and its version bump commit together.
 */
@Injectable()
export class KnowledgeStore {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, businessId: string, dto: KnowledgeEntryDto): Promise<KnowledgeEntryView> {
    const rows: EntryRow[] = await manager.query(
      `INSERT INTO knowledge_entry (business_id, language, question, variants, answer) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [businessId, dto.language, dto.question, dto.variants ?? [], dto.answer],
    );
    return view(rows[0]!);
  }

  async list(businessId: string): Promise<KnowledgeEntryView[]> {
    const rows: EntryRow[] = await this.dataSource.query(
      `SELECT * FROM knowledge_entry WHERE business_id = $1 ORDER BY created_at, entry_id`,
      [businessId],
    );
    return rows.map(view);
  }

  async get(businessId: string, entryId: string): Promise<KnowledgeEntryView | undefined> {
    const rows: EntryRow[] = await this.dataSource.query(`SELECT * FROM knowledge_entry WHERE business_id = $1 AND entry_id = $2`, [
      businessId,
      entryId,
    ]);
    return rows[0] ? view(rows[0]) : undefined;
  }

  async update(
    manager: EntityManager,
    businessId: string,
    entryId: string,
    dto: KnowledgeEntryDto,
  ): Promise<KnowledgeEntryView | undefined> {
    const result: unknown = await manager.query(
      `UPDATE knowledge_entry SET language = $3, question = $4, variants = $5, answer = $6, updated_at = now()
       WHERE business_id = $1 AND entry_id = $2 RETURNING *`,
      [businessId, entryId, dto.language, dto.question, dto.variants ?? [], dto.answer],
    );
    const row = returnedRows<EntryRow>(result)[0];
    return row ? view(row) : undefined;
  }

  async delete(manager: EntityManager, businessId: string, entryId: string): Promise<boolean> {
    const result: unknown = await manager.query(`DELETE FROM knowledge_entry WHERE business_id = $1 AND entry_id = $2 RETURNING entry_id`, [
      businessId,
      entryId,
    ]);
    return returnedRows(result).length > 0;
  }

  /** The business's knowledge version ('none' before its first entry). */
  async version(businessId: string): Promise<string> {
    const versions: { knowledge_version: string }[] = await this.dataSource.query(
      `SELECT knowledge_version FROM business WHERE business_id = $1`,
      [businessId],
    );
    return versions[0]?.knowledge_version ?? 'none';
  }

  /** Moves the business's knowledge version on: every replica rebuilds its search index. */
  async bump(manager: EntityManager, businessId: string): Promise<void> {
    await manager.query(
      `INSERT INTO business (business_id, knowledge_version) VALUES ($1, 1)
       ON CONFLICT (business_id) DO UPDATE SET knowledge_version = business.knowledge_version + 1`,
      [businessId],
    );
  }
}
