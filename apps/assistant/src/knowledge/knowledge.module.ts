import { Module } from '@nestjs/common';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { KnowledgeController } from './knowledge.controller';
import { KnowledgeService } from './knowledge.service';
import { KnowledgeStore } from './knowledge.store';

/**
 * Knowledge: the businesses' questions and answers (their API, through KnowledgeService, which opens
 * each change's transaction) and each business's search index. Exports the service, not the store.
 */
@Module({
  imports: [RetrievalModule],
  controllers: [KnowledgeController],
  providers: [KnowledgeStore, KnowledgeService],
  exports: [KnowledgeService],
})
export class KnowledgeModule {}
