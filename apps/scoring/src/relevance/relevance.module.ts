import { Module } from '@nestjs/common';
import { ModelStore } from './model.store';

/** The relevance model (features, logistic model) and its stored versions. */
@Module({ providers: [ModelStore], exports: [ModelStore] })
export class RelevanceModule {}
