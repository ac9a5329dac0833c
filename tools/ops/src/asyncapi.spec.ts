import { Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import { ALL_TOPIC_SPECS, TOPIC_PAYLOAD_CLASSES } from '@wt/contracts';
import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { fromRoot } from './lib/workspace';

/** Properties the contracts validate on a payload class (class-validator metadata, inherited ones included). */
function validatedProperties(target: new () => object): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))].sort();
}

describe('docs/asyncapi.yaml', () => {
  let document: AsyncAPIDocumentInterface;

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(readFileSync(fromRoot('docs/asyncapi.yaml'), 'utf8'));
    // Severity 0 is an error; warnings (e.g. "a newer AsyncAPI version exists") do not fail the check.
    const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('/')}: ${d.message}`);
    expect(errors).toEqual([]);
    if (!parsed) throw new Error('the AsyncAPI document did not parse');
    document = parsed;
  });

  it('is an AsyncAPI 3 document', () => {
    expect(document.version()).toMatch(/^3\./);
  });

  it('has one channel per topic of the contracts catalogue, and no other', () => {
    const addresses = document
      .channels()
      .all()
      .map((c) => c.address())
      .sort();
    expect(addresses).toEqual(ALL_TOPIC_SPECS.map((s) => s.topic as string).sort());
  });

  it.each(ALL_TOPIC_SPECS.map((s) => [s.topic, s] as const))('describes %s as the contracts do', (topic, spec) => {
    const channel = document
      .channels()
      .all()
      .find((c) => c.address() === topic);
    const kafka = channel?.bindings().get('kafka')?.value() as { partitions: number; topicConfiguration: Record<string, unknown> };
    expect(kafka.partitions).toBe(spec.partitions);
    expect(kafka.topicConfiguration).toEqual({ 'cleanup.policy': [spec.cleanupPolicy], 'retention.ms': spec.retentionMs });
    const [message] = channel?.messages().all() ?? [];
    const payloadClass = TOPIC_PAYLOAD_CLASSES[spec.topic];
    expect(message?.name()).toBe(payloadClass.name);
    const properties = Object.keys(message?.payload()?.properties() ?? {}).sort();
    expect(properties).toEqual(validatedProperties(payloadClass));
  });

  it('is what the generator writes from the contracts today (regenerate it rather than edit it)', async () => {
    // tools may not import each other's modules; the generator's source is loaded by path, as the
    // configuration reference check loads the apps' config classes.
    const { asyncApiYaml } = require(fromRoot('tools/cli/src/commands/asyncapi.ts')) as { asyncApiYaml: () => Promise<string> };
    expect(readFileSync(fromRoot('docs/asyncapi.yaml'), 'utf8').trimEnd()).toBe((await asyncApiYaml()).trimEnd());
  });
});
