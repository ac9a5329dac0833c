import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { AccessTokenGuard } from '../graph/access-token.guard';
import { GraphApiError } from '../graph/graph-api.error';
import { CreateTemplateDto } from './template.dto';
import { countPlaceholders, type RegisteredTemplate, TemplateRegistry } from './template-registry';

const validation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
});

/**
 * Template creation in Meta's shape. Meta keys templates by WhatsApp Business Account; the sandbox
 * keys them by phone_number_id (`POST /{version}/{phone-number-id}/message_templates`) and approves
 * them at once.
 */
@Controller()
@UseGuards(AccessTokenGuard)
export class TemplatesController {
  constructor(private readonly registry: TemplateRegistry) {}

  @Post(':version/:phoneNumberId/message_templates')
  @HttpCode(200)
  @UsePipes(validation)
  create(
    @Param('phoneNumberId') phoneNumberId: string,
    @Body() dto: CreateTemplateDto,
  ): { id: string; status: 'APPROVED'; category: string } {
    if (!/^\d{1,32}$/.test(phoneNumberId))
      throw new GraphApiError(400, 100, `(#100) Object with ID '${phoneNumberId}' does not exist`);
    const body = dto.components.find((component) => component.type === 'BODY');
    if (!body?.text) throw GraphApiError.invalidParameter('components[BODY].text', 'missing');
    this.registry.register({
      phoneNumberId,
      name: dto.name,
      language: dto.language,
      bodyParameters: countPlaceholders(body.text),
      categories: dto.sandbox_categories ?? [],
    });
    return {
      id: `${phoneNumberId}:${dto.name}:${dto.language}`,
      status: 'APPROVED',
      category: dto.category,
    };
  }
}

/** Inspection and reset of registered templates (no token, like every `/sandbox` path). */
@Controller('sandbox/templates')
export class SandboxTemplatesController {
  constructor(private readonly registry: TemplateRegistry) {}

  @Get()
  list(@Query('phoneNumberId') phoneNumberId?: string): RegisteredTemplate[] {
    return this.registry.list(phoneNumberId);
  }

  @Delete()
  clear(): { cleared: number } {
    return { cleared: this.registry.clear() };
  }
}
