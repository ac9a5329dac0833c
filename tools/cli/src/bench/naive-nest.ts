import { Controller, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload, Transport } from '@nestjs/microservices';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { type EngagementNormalizedV1, Topic } from '@wt/contracts';
import { Column, Entity, PrimaryColumn, Repository } from 'typeorm';

/** The profile update written the way a typical NestJS tutorial does it: one message, one ORM round trip. */
@Entity({ name: 'naive_profile' })
export class NaiveProfile {
  @PrimaryColumn({ name: 'person_id', type: 'text' })
  personId: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  interests: Record<string, number>;

  @Column({ name: 'total_events', type: 'integer', default: 0 })
  totalEvents: number;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null;
}

@Injectable()
class NaiveProfileService {
  constructor(@InjectRepository(NaiveProfile) private readonly profiles: Repository<NaiveProfile>) {}

  async apply(event: EngagementNormalizedV1): Promise<void> {
    const profile =
      (await this.profiles.findOneBy({ personId: event.personId })) ??
      this.profiles.create({ personId: event.personId, interests: {}, totalEvents: 0 });
    for (const category of event.categories) profile.interests[category] = (profile.interests[category] ?? 0) + 1;
    profile.totalEvents += 1;
    profile.lastSeenAt = new Date(event.occurredAt);
    await this.profiles.save(profile);
  }
}

@Controller()
class NaiveProfileController {
  constructor(private readonly service: NaiveProfileService) {}

  @EventPattern(Topic.EngagementNormalizedV1)
  async onEvent(@Payload() event: EngagementNormalizedV1): Promise<void> {
    await this.service.apply(event);
  }
}

/** Starts the naive consumer with Nest's built-in Kafka transport; returns a stop function. */
export async function startNaiveNest(brokers: string[], groupId: string, databaseUrl: string): Promise<() => Promise<void>> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url: databaseUrl, entities: [NaiveProfile], synchronize: false, logging: false }),
      TypeOrmModule.forFeature([NaiveProfile]),
    ],
    controllers: [NaiveProfileController],
    providers: [NaiveProfileService],
  })
  class NaiveModule {}

  const app = await NestFactory.createMicroservice(NaiveModule, {
    logger: ['error'],
    transport: Transport.KAFKA,
    options: {
      client: { clientId: 'naive-bench', brokers },
      consumer: { groupId },
      postfixId: '',
      subscribe: { fromBeginning: true },
    },
  });
  await app.listen();
  return () => app.close();
}

export const NAIVE_TABLE_SQL = `CREATE TABLE IF NOT EXISTS naive_profile (
  person_id text PRIMARY KEY, interests jsonb NOT NULL DEFAULT '{}', total_events integer NOT NULL DEFAULT 0, last_seen_at timestamptz)`;
