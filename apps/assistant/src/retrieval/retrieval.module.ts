import { Module } from '@nestjs/common';
import { EmbeddingModel } from './embedding-model';

/**
 * Retrieval: the sentence-embedding model loaded at boot. The rest of the folder is plain code
 * (the knowledge index, the gloss, the text analysis), used by knowledge/, conversation/ and the evaluation.
 */
@Module({
  providers: [EmbeddingModel],
  exports: [EmbeddingModel],
})
export class RetrievalModule {}
