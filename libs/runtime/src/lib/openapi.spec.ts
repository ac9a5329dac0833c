import { Body, Controller, Get, Module, Post, Put } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { ContractType } from '@wt/contracts';
import { IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { ApiAnswer, ApiErrors, openApiDocumentOf, openApiGaps, schemaRef } from './openapi';

class PartDto {
  @IsInt()
  @Min(1)
  quantity: number;
}

class OrderDto {
  @IsString()
  name: string;

  @ValidateNested()
  @ContractType(() => PartDto)
  part: PartDto;

  /** An array: only `@ContractType` tells its element class (the declared type is `Array`). */
  @IsOptional()
  @ValidateNested({ each: true })
  @ContractType(() => PartDto)
  spares?: PartDto[];
}

/** No validation metadata: nothing to derive a schema from. */
class OpaqueDto {
  name: string;
}

@Controller('orders')
class OrdersController {
  @Post()
  @ApiAnswer(201, 'Created', schemaRef(OrderDto))
  @ApiErrors({ 409: 'Exists' })
  create(@Body() order: OrderDto): OrderDto {
    return order;
  }

  @Put('opaque')
  @ApiBody({ type: OpaqueDto })
  @ApiAnswer(200, 'Stored', { type: 'object', properties: { ok: { type: 'boolean' } } })
  opaque(@Body() body: OpaqueDto): { ok: boolean } {
    return { ok: body !== undefined };
  }

  @Get()
  list(): OrderDto[] {
    return [];
  }

  @Post('touch')
  @ApiAnswer(204, 'Touched')
  touch(): void {
    // Nothing to do: the route exists to be documented.
  }
}

@Module({ controllers: [OrdersController] })
class OrdersModule {}

describe('OpenAPI from controllers and class-validator metadata', () => {
  it('fills body schemas from validation, nested ones too, and adds the generic 400 and 413 of a body', async () => {
    const document = await openApiDocumentOf(OrdersModule, 'orders');
    expect(document.components?.schemas?.['OrderDto']).toMatchObject({
      properties: {
        name: { type: 'string' },
        part: { $ref: '#/components/schemas/PartDto' },
        spares: { type: 'array', items: { $ref: '#/components/schemas/PartDto' } },
      },
      required: ['name', 'part'],
    });
    expect(document.components?.schemas?.['PartDto']).toMatchObject({ properties: { quantity: { type: 'integer', minimum: 1 } } });
    expect(Object.keys(document.paths['/orders'].post?.responses ?? {}).sort()).toEqual(['201', '400', '409', '413']);
  });

  it('names every gap: a body without properties, no documented success, a write without a body', async () => {
    const document = await openApiDocumentOf(OrdersModule, 'orders');
    expect(openApiGaps(document)).toEqual([
      'GET /orders: no documented success response (description and shape)',
      'PUT /orders/opaque: request body has no schema with properties',
      'POST /orders/touch: no request body documented',
    ]);
    expect(openApiGaps(document, { bodyless: ['POST /orders/touch'] })).toHaveLength(2);
  });
});
