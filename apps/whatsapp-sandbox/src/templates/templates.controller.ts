import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import { AccessTokenGuard } from '../graph/access-token.guard';
import { GraphApiError } from '../graph/graph-api.error';
import { CreateTemplateDto } from './template.dto';
import { countPlaceholders, type RegisteredTemplate, TemplateRegistry, TTL_RANGES } from './template-registry';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors } from '@wt/runtime';
import { CLEARED_SCHEMA, GRAPH_ERROR_SCHEMA, REGISTERED_TEMPLATE_SCHEMA, TEMPLATE_CREATED_SCHEMA } from '../openapi/sandbox-schemas';

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
@ApiTags('graph api')
@ApiBearerAuth()
export class TemplatesController {
  constructor(private readonly registry: TemplateRegistry) {}

  @Post(':version/:phoneNumberId/message_templates')
  @HttpCode(200)
  @ApiAnswer(200, 'Registered and approved at once', TEMPLATE_CREATED_SCHEMA)
  @ApiErrors(
    {
      400: 'Graph error 100: an invalid parameter, no BODY text, or a bad phone number id',
      401: 'Graph error 190: no valid access token',
      413: 'The body is too large',
    },
    GRAPH_ERROR_SCHEMA,
  )
  @UsePipes(validation)
  create(
    @Param('phoneNumberId') phoneNumberId: string,
    @Body() dto: CreateTemplateDto,
  ): { id: string; status: 'APPROVED'; category: string } {
    if (!/^\d{1,32}$/.test(phoneNumberId)) throw new GraphApiError(400, 100, `(#100) Object with ID '${phoneNumberId}' does not exist`);
    const body = dto.components.find((component) => component.type === 'BODY');
    if (!body?.text) throw GraphApiError.invalidParameter('components[BODY].text', 'missing');
    const ttl = dto.message_send_ttl_seconds;
    const range = TTL_RANGES[dto.category];
    if (ttl !== undefined && !(dto.category === 'MARKETING' && ttl === -1) && range && (ttl < range[0] || ttl > range[1])) {
      throw GraphApiError.invalidParameter(
        'message_send_ttl_seconds',
        `must be between ${range[0]} and ${range[1]} for ${dto.category} templates`,
      );
    }
    this.registry.register({
      phoneNumberId,
      name: dto.name,
      language: dto.language,
      bodyParameters: countPlaceholders(body.text),
      categories: dto.sandbox_categories ?? [],
      category: dto.category,
      ...(ttl === undefined ? {} : { ttlSeconds: ttl === -1 ? 2_592_000 : ttl }),
      registeredAt: Date.now(),
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
@ApiTags('sandbox (tests)')
export class SandboxTemplatesController {
  constructor(private readonly registry: TemplateRegistry) {}

  @Get()
  @ApiQuery({ name: 'phoneNumberId', required: false })
  @ApiAnswer(200, 'Registered templates', { type: 'array', items: REGISTERED_TEMPLATE_SCHEMA })
  list(@Query('phoneNumberId') phoneNumberId?: string): RegisteredTemplate[] {
    return this.registry.list(phoneNumberId);
  }

  @Delete()
  @ApiAnswer(200, 'Every template forgotten', CLEARED_SCHEMA)
  clear(): { cleared: number } {
    return { cleared: this.registry.clear() };
  }
}
