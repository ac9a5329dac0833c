import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { AccountController } from './account.controller';
import { AccountState } from './account-state';
import { TemplateQuality } from './template-quality';

/** The business account's state (tiers, pauses) and its templates' quality, with their account webhooks. */
@Module({
  imports: [WebhooksModule],
  controllers: [AccountController],
  providers: [AccountState, TemplateQuality],
  exports: [AccountState, TemplateQuality],
})
export class AccountModule {}
