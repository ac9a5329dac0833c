import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The suppression record kept after an erasure (the only thing kept): the person's pseudonym and
 * when. Later engagement, consent or inbound messages for this personId are dropped, so no
 * targetable profile is rebuilt and the person is never messaged again. The number itself is not
 * kept (only its keyed hash), so the record cannot be read back into a person without the secret.
 */
@Entity({ name: 'erased_person' })
export class ErasedPersonEntity {
  @PrimaryColumn({ name: 'person_id', type: 'char', length: 64 })
  personId: string;

  @Column({ name: 'request_id', type: 'text' })
  requestId: string;

  @Column({ name: 'erased_at', type: 'timestamptz' })
  erasedAt: Date;
}
