import { ALL_TOPIC_SPECS, contractTypeSchemaConverters, TOPIC_PAYLOAD_CLASSES, type TopicSpec } from '@wt/contracts';
import { generatedYaml } from './generated-yaml';

/** Name of an AsyncAPI component: the topic, without dots (`social.engagement.v1` -> `socialEngagementV1`). */
export function componentName(topic: string): string {
  return topic.replace(/[.-]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The AsyncAPI 3 document of every topic of the contracts catalogue: one channel per topic
 * (address, partitions, retention, compaction, key), one message whose payload is the JSON
 * schema of the topic's class-validator payload class, and the operations nobody outside
 * should guess: public topics are the platform's API, internal ones may change with a version.
 */
export async function asyncApiDocument(): Promise<Record<string, unknown>> {
  // class-validator-jsonschema: also what libs/runtime derives the OpenAPI body schemas with.
  const { validationMetadatasToSchemas } = await import('class-validator-jsonschema');
  // `@ContractType` tells the element class of nested arrays (our reflect-metadata).
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    additionalConverters: contractTypeSchemaConverters,
  }) as Record<string, object>;
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const spec of ALL_TOPIC_SPECS) {
    const name = componentName(spec.topic);
    const payloadClass = TOPIC_PAYLOAD_CLASSES[spec.topic].name;
    channels[name] = {
      address: spec.topic,
      title: spec.topic,
      description: `${spec.description} ${retention(spec)}`,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
      tags: [{ name: spec.visibility }],
      bindings: {
        kafka: {
          topic: spec.topic,
          partitions: spec.partitions,
          topicConfiguration: { 'cleanup.policy': [spec.cleanupPolicy], 'retention.ms': spec.retentionMs },
          bindingVersion: '0.5.0',
        },
      },
    };
    messages[name] = {
      name: payloadClass,
      title: `${payloadClass} on ${spec.topic}`,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: {
          'wt-schema': { type: 'string', const: spec.topic, description: 'The topic the record was written for (never a class name).' },
          traceparent: { type: 'string', description: 'W3C trace context of the hop that produced the record.' },
        },
      },
      payload: { $ref: `#/components/schemas/${payloadClass}` },
      bindings: { kafka: { key: { type: 'string', description: spec.key }, bindingVersion: '0.5.0' } },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'WhatsApp targeting platform: topics',
      version: '1.1.0',
      description:
        'Every Kafka topic of the platform, generated from libs/contracts (TOPIC_SPECS, TOPIC_PAYLOAD_CLASSES). ' +
        'Topics are never renamed: a breaking change is a new `.vN` topic beside the old one.',
    },
    defaultContentType: 'application/json',
    servers: { cluster: { host: 'wt-kafka-kafka-bootstrap.kafka.svc:9092', protocol: 'kafka', description: 'The Strimzi cluster' } },
    channels,
    components: {
      messages,
      schemas: reachable(
        schemas,
        Object.values(TOPIC_PAYLOAD_CLASSES).map((c) => c.name),
      ),
    },
  };
}

/**
 * The payload schemas and those they refer to, and nothing else: the metadata storage holds every
 * validated class the process loaded (configuration classes too), which is not the topics' API.
 */
function reachable(schemas: Record<string, object>, roots: string[]): Record<string, object> {
  const kept = new Set<string>();
  const visit = (name: string) => {
    if (kept.has(name) || !schemas[name]) return;
    kept.add(name);
    for (const [, ref] of JSON.stringify(schemas[name]).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) visit(ref as string);
  };
  roots.forEach(visit);
  return Object.fromEntries(Object.entries(schemas).filter(([name]) => kept.has(name)));
}

function retention(spec: TopicSpec): string {
  if (spec.cleanupPolicy === 'compact') return 'Compacted: the latest record per key is kept.';
  return `Records are kept ${Math.round(spec.retentionMs / 86_400_000)} days.`;
}

/** `wt docs asyncapi`: docs/asyncapi.yaml. */
export async function asyncApiYaml(): Promise<string> {
  return generatedYaml({ from: 'libs/contracts', command: 'docs asyncapi', file: 'docs/asyncapi.yaml' }, await asyncApiDocument(), {
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
}
