import 'reflect-metadata';
import { loadConfig } from '@wt/config';
import { main, runService } from '@wt/runtime';
import { profilesModule } from './app.module';
import { ProfilesConfig } from './profiles.config';

main(async () => {
  const config = loadConfig(ProfilesConfig);
  await runService({
    name: 'profiles',
    module: profilesModule(config),
    port: config.PORT,
    consumer: {
      connection: { brokers: config.KAFKA_BROKERS, clientId: 'profiles' },
      groupId: `${config.KAFKA_GROUP_PREFIX}.profiles`,
      partitionsConsumedConcurrently: 3,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      maxBytesPerPartition: config.KAFKA_MAX_BYTES_PER_PARTITION,
    },
  });
});
