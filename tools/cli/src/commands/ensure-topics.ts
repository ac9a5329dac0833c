import { createKafka, ensureTopics } from '@wt/kafka';

/** `wt topics ensure`: creates or aligns every topic of the contracts catalogue. */
export async function ensureTopicsCommand(brokers: string[]): Promise<void> {
  const result = await ensureTopics(createKafka({ brokers, clientId: 'wt-cli' }));
  console.log(`topics: ${result.created.length} created, ${result.existing.length} already present`);
  for (const drift of result.drift) {
    console.log(
      `  drift ${drift.topic} ${drift.setting}: expected ${drift.expected}, was ${drift.actual}${drift.setting === 'partitions' ? '' : ' (fixed)'}`,
    );
  }
}
