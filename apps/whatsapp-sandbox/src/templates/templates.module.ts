import { Module } from '@nestjs/common';
import { TemplateRegistry } from './template-registry';
import { SandboxTemplatesController, TemplatesController } from './templates.controller';

/** Message templates (Graph API and sandbox routes). */
@Module({
  controllers: [TemplatesController, SandboxTemplatesController],
  providers: [TemplateRegistry],
  exports: [TemplateRegistry],
})
export class TemplatesModule {}
