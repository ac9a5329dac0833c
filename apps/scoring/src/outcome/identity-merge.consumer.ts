import { Topic } from '@wt/contracts';
import { topicConsumer } from '@wt/kafka';
import { PersonMergeStore } from './person-merge.store';

/** `internal.identity.merges.v1`: a BSUID-only person merged into a number's person (by the dispatcher or ingest), to PersonMergeStore. */
export const IdentityMergeConsumer = topicConsumer(Topic.IdentityMergesV1, PersonMergeStore, (merges, batch) =>
  merges.merge(batch.records.map((r) => r.value)),
);
