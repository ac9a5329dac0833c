import { Injectable } from '@nestjs/common';
import { type PrivacyExportV1, Topic } from '@wt/contracts';
import { KafkaPublisher } from '@wt/kafka';
import { DataSource } from 'typeorm';
import { AssistantPrivacyStore } from './assistant-privacy.store';

/**
 * The assistant's part of the GDPR requests. Profiles turns a request's phone number into the
 * personId (the assistant holds no pseudonym secret) and announces the outcome: an erasure on
 * `internal.privacy.erasures.v1`, an export on `internal.privacy.exports.v1`. The assistant follows both.
 */
@Injectable()
export class AssistantPrivacyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: AssistantPrivacyStore,
    private readonly publisher: KafkaPublisher,
  ) {}

  /** Deletes the erased people's conversation state and history, in one transaction (idempotent: a redelivery deletes nothing more). */
  async erase(personIds: readonly string[]): Promise<void> {
    if (personIds.length === 0) return;
    await this.dataSource.transaction((manager) => this.store.erase(manager, personIds));
  }

  /**
   * Answers profiles' parts of exports with the assistant's own (conversation state and history,
   * agents' replies, last marketing decisions, held erasure requests), under the same requestId and
   * personId, `source: 'assistant'`. The assistant's own answers on the topic are skipped. A
   * redelivery publishes the part again: the reader keeps one per (requestId, source).
   */
  async answerExports(requests: readonly PrivacyExportV1[]): Promise<void> {
    const parts = [];
    for (const request of requests) {
      if ((request.source ?? 'profiles') !== 'profiles') continue;
      const part: PrivacyExportV1 = {
        requestId: request.requestId,
        personId: request.personId,
        exportedAt: new Date().toISOString(),
        source: 'assistant',
        data: { ...(await this.store.export(request.personId)) },
      };
      parts.push({ key: request.requestId, value: part });
    }
    if (parts.length > 0) await this.publisher.publish(Topic.PrivacyExportsV1, parts);
  }
}
