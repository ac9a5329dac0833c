import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@wt/config';
import { AccountModule } from './account/account.module';
import { ConversionsModule } from './conversions/conversions.module';
import { FaultsModule } from './faults/faults.module';
import { HealthModule } from './health/health.module';
import { InboundModule } from './inbound/inbound.module';
import { MessagesModule } from './messages/messages.module';
import { SandboxConfig } from './sandbox.config';
import { SandboxResetController } from './sandbox-reset.controller';
import { SimulationModule } from './simulation/simulation.module';
import { StatsModule } from './stats/stats.module';
import { TemplatesModule } from './templates/templates.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The sandbox: one module per domain folder. Dependencies point down: inbound/ → messages/ →
 * account/, faults/, simulation/, templates/, users/ → webhooks/ → stats/. graph/ (Graph API
 * errors, the access token guard) and openapi/ (schemas) are plain code any folder uses.
 * `POST /sandbox/reset` (SandboxResetController) is app-level: it clears every module.
 */
@Module({})
export class AppModule {
  /** `env` is validated into `SandboxConfig` (a bad variable stops the boot, naming it). */
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(SandboxConfig, env),
        HealthModule,
        StatsModule,
        WebhooksModule,
        FaultsModule,
        TemplatesModule,
        UsersModule,
        AccountModule,
        ConversionsModule,
        SimulationModule,
        MessagesModule,
        InboundModule,
      ],
      controllers: [SandboxResetController],
    };
  }
}
