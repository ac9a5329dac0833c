import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@wt/config';
import { ConversionsController, SandboxConversionsController } from './conversions/conversions.controller';
import { ConversionsLedger } from './conversions/conversions-ledger';
import { AccountController } from './account/account.controller';
import { AccountState } from './account/account-state';
import { TemplateQuality } from './account/template-quality';
import { FaultBook } from './faults/fault-book';
import { FaultsController } from './faults/faults.controller';
import { AccessTokenGuard } from './graph/access-token.guard';
import { HealthController } from './health/health.controller';
import { InboundController } from './inbound/inbound.controller';
import { InboundService } from './inbound/inbound.service';
import { MessageStore } from './messages/message-store';
import { MessagesController } from './messages/messages.controller';
import { MessagesService } from './messages/messages.service';
import { SandboxMessagesController } from './messages/sandbox-messages.controller';
import { ServiceWindows } from './messages/service-windows';
import { SandboxConfig } from './sandbox.config';
import { SimulatedRecipients } from './simulation/simulated-recipients';
import { SimulationController } from './simulation/simulation.controller';
import { SandboxStats } from './stats/sandbox-stats';
import { SandboxMetricsController } from './stats/sandbox-metrics.controller';
import { SandboxStatsController } from './stats/sandbox-stats.controller';
import { SandboxTemplatesController, TemplatesController } from './templates/templates.controller';
import { TemplateRegistry } from './templates/template-registry';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';
import { SandboxUsers } from './users/sandbox-users';
import { UsersController } from './users/users.controller';

@Module({})
export class AppModule {
  /** `env` is validated into `SandboxConfig` (a bad variable stops the boot, naming it). */
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(SandboxConfig, env)],
      controllers: [
        HealthController,
        MessagesController,
        SandboxMessagesController,
        FaultsController,
        InboundController,
        SandboxStatsController,
        SandboxMetricsController,
        TemplatesController,
        SandboxTemplatesController,
        ConversionsController,
        SandboxConversionsController,
        SimulationController,
        AccountController,
        UsersController,
      ],
      providers: [
        AccessTokenGuard,
        ConversionsLedger,
        AccountState,
        TemplateQuality,
        FaultBook,
        InboundService,
        MessageStore,
        MessagesService,
        SandboxStats,
        ServiceWindows,
        SimulatedRecipients,
        TemplateRegistry,
        WebhookDeliveryService,
        SandboxUsers,
      ],
    };
  }
}
