import { type SchemaObject } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { ConsentEventV1, ContractType, DEAD_LETTER_REASONS, EngagementEventV1 } from '@wt/contracts';

/*
 * The HTTP doors' request bodies as classes, for the OpenAPI document (their schemas come from
 * this validation metadata). The controller checks the envelope itself and each item with the
 * topic's contract class, so that one bad item is answered, not the whole request refused.
 */

/** Body of `POST /v1/engagement-events`. */
export class EngagementEventsRequest {
  /** 1 to HTTP_MAX_BATCH (1,000) events of social.engagement.v1. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @ContractType(() => EngagementEventV1)
  events: EngagementEventV1[];
}

/** Body of `POST /v1/consents`. */
export class ConsentsRequest {
  /** 1 to HTTP_MAX_BATCH (1,000) changes of consent.v1. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @ContractType(() => ConsentEventV1)
  consents: ConsentEventV1[];
}

/** OpenAPI shape of the answer: one result per item, in the order sent. */
export const INTAKE_RESPONSE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['accepted', 'rejected', 'results'],
  properties: {
    accepted: { type: 'integer', description: 'Items published on the internal topic' },
    rejected: { type: 'integer', description: 'Items refused (and dead-lettered with origin http)' },
    results: {
      type: 'array',
      items: {
        oneOf: [
          {
            type: 'object',
            required: ['index', 'status', 'personId'],
            properties: {
              index: { type: 'integer' },
              status: { type: 'string', enum: ['accepted'] },
              personId: { type: 'string', description: 'The pseudonym of the number (HMAC-SHA256)' },
            },
          },
          {
            type: 'object',
            required: ['index', 'status', 'reason', 'errors'],
            properties: {
              index: { type: 'integer' },
              status: { type: 'string', enum: ['rejected'] },
              reason: { type: 'string', enum: [...DEAD_LETTER_REASONS] },
              errors: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { field: { type: 'string', example: 'phone' }, problems: { type: 'array', items: { type: 'string' } } },
                },
              },
            },
          },
        ],
      },
    },
  },
};
