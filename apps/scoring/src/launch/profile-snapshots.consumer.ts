import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ProfileSnapshotV1, Topic } from '@wt/contracts';
import { type RecordBatch, traceHeaders } from '@wt/kafka';
import { ProfileChanges } from './profile-changes';

/** Profile snapshots: the latest version of each person in the batch, and the tombstones (erasures), to ProfileChanges. */
@Controller()
export class ProfileSnapshotsConsumer {
  constructor(private readonly changes: ProfileChanges) {}

  @EventPattern(Topic.ProfileSnapshotsV1)
  async onSnapshots(@Payload() batch: RecordBatch<Topic.ProfileSnapshotsV1>): Promise<void> {
    const latest = new Map<string, ProfileSnapshotV1>();
    const traces = new Map<string, Record<string, string>>();
    for (const { value, headers } of batch.records) {
      const known = latest.get(value.personId);
      if (!known || known.version <= value.version) {
        latest.set(value.personId, value);
        traces.set(value.personId, traceHeaders(headers));
      }
    }
    await this.changes.apply(
      [...latest.values()],
      batch.tombstones.map((t) => t.key),
      traces,
    );
  }
}
