import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BusinessAuthGuard } from './business-auth.guard';

/**
 * A controller of a business's API: every route behind a business API key (BusinessAuthGuard; the
 * routes read the business with `@BusinessId()`), documented under `tag` with the bearer key and its
 * 401 (in the HttpError shape every service's document holds).
 */
export function BusinessApiController(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(path),
    UseGuards(BusinessAuthGuard),
    ApiTags(tag),
    ApiBearerAuth(),
    ApiResponse({
      status: 401,
      description: 'No business API key, or not a valid one',
      schema: { $ref: '#/components/schemas/HttpError' },
    }),
  );
}
