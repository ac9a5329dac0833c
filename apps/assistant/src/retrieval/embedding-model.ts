import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AssistantConfig } from '../assistant.config';
import { SentenceEmbedder } from './sentence-embedder';

/**
 * The sentence-embedding model of the service, loaded once at boot from the files named by
 * EMBEDDING_MODEL and EMBEDDING_TOKENIZER (fetched and cached beforehand by the project's setup:
 * `node tools/stack/embedding-model.mjs path`; nothing is downloaded at run time). Without them
 * the assistant matches by words only, and says so at boot.
 */
@Injectable()
export class EmbeddingModel implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EmbeddingModel.name);
  private loaded: SentenceEmbedder | undefined;

  constructor(private readonly config: AssistantConfig) {}

  async onModuleInit(): Promise<void> {
    const model = this.config.EMBEDDING_MODEL;
    const tokenizer = this.config.EMBEDDING_TOKENIZER;
    if (!model || !tokenizer) {
      this.logger.warn('EMBEDDING_MODEL / EMBEDDING_TOKENIZER unset: the assistant matches questions by words only, not by meaning');
      return;
    }
    // A configured model that does not load stops the boot: the files are part of the deployment.
    this.loaded = await SentenceEmbedder.load({ model, tokenizer });
  }

  async onModuleDestroy(): Promise<void> {
    await this.loaded?.close();
  }

  get embedder(): SentenceEmbedder | undefined {
    return this.loaded;
  }
}
