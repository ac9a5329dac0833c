import { Module } from '@nestjs/common';
import { ModelService } from './model.service';

/** The relevance model (features, logistic model) and its stored versions. */
@Module({ providers: [ModelService], exports: [ModelService] })
export class RelevanceModule {}
