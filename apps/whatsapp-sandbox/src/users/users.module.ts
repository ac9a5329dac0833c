import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { SandboxUsers } from './sandbox-users';
import { UsersController } from './users.controller';

/** Simulated WhatsApp users (numbers, BSUIDs, usernames, changes of number). */
@Module({
  imports: [WebhooksModule],
  controllers: [UsersController],
  providers: [SandboxUsers],
  exports: [SandboxUsers],
})
export class UsersModule {}
