import { kafkaAclsOf, Topic } from '@wt/contracts';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, type Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { createKafka, kafkaConnectionOf } from './kafka-connection';

// The broker of the test stack has a SASL/SCRAM listener held to ACLs (tools/stack/kafka-broker.mjs).
// A service's credentials, with exactly the ACLs generated from the contracts (the same ones the
// KafkaUser manifests in deploy/ carry), can write what it owns and nothing else.

const ROOT = path.resolve(__dirname, '../../../..');
const plaintext = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const sasl = (process.env.KAFKA_SASL_BROKERS ?? '').split(',').filter(Boolean);
const GROUP_PREFIX = 'wt-acl-test';

const OPERATION = { Read: AclOperationTypes.READ, Write: AclOperationTypes.WRITE, Describe: AclOperationTypes.DESCRIBE } as const;

describe('Kafka ACLs from the contracts, on the SASL listener of the real broker', () => {
  const user = `wt-acl-test-ingest-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  let admin: ReturnType<Kafka['admin']>;

  const asIngest = (secret: string): Kafka =>
    createKafka(
      kafkaConnectionOf(
        {
          KAFKA_BROKERS: sasl,
          KAFKA_LOG_LEVEL: 'error',
          KAFKA_SECURITY_PROTOCOL: 'sasl_plaintext',
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: user,
          KAFKA_SASL_PASSWORD: secret,
        },
        user,
      ),
      // The refusals below are provoked on purpose: kafkajs's own ERROR lines about them are silenced.
      { retry: { retries: 0 }, logLevel: logLevel.NOTHING },
    );

  beforeAll(async () => {
    if (sasl.length === 0)
      throw new Error(
        'KAFKA_SASL_BROKERS is not set: the test stack has no SASL listener (an external KAFKA_BROKERS needs KAFKA_SASL_BROKERS too)',
      );
    // One JVM start (Kafka's ConfigCommand): kafkajs cannot create SCRAM credentials.
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'tools/stack/kafka-broker.mjs'), 'scram-user', user, password, '--brokers', plaintext[0] ?? ''],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
    admin = createKafka({ brokers: plaintext, clientId: 'acl-test-admin', logLevel: 'error' }).admin();
    await admin.connect();
    await admin.createAcls({
      acl: kafkaAclsOf('ingest', GROUP_PREFIX).flatMap((acl) =>
        acl.operations.map((operation) => ({
          resourceType: acl.resource.type === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
          resourceName: acl.resource.name,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: `User:${user}`,
          host: '*',
          operation: OPERATION[operation],
          permissionType: AclPermissionTypes.ALLOW,
        })),
      ),
    });
  }, 180_000);

  afterAll(async () => {
    await admin?.deleteAcls({
      filters: [
        {
          resourceType: AclResourceTypes.ANY,
          resourcePatternType: ResourcePatternTypes.ANY,
          principal: `User:${user}`,
          host: '*',
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        },
      ],
    });
    await admin?.disconnect();
  });

  it("lets ingest's credentials write a topic it owns (ACLs propagate: polled, not timed)", async () => {
    const producer = asIngest(password).producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 5 } });
    await producer.connect();
    try {
      // ACLs reach the broker's authorizer through the metadata log: try until they are there.
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await producer.send({ topic: Topic.EngagementNormalizedV1, acks: -1, messages: [{ key: 'acl-test', value: '{}' }] });
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    } finally {
      await producer.disconnect();
    }
  }, 90_000);

  it('refuses them a topic ingest does not own (provokes TOPIC_AUTHORIZATION_FAILED on purpose)', async () => {
    const producer = asIngest(password).producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await expect(
        producer.send({ topic: Topic.TargetingDecisionsV1, acks: -1, messages: [{ key: 'acl-test', value: '{}' }] }),
      ).rejects.toThrow(/authoriz/i);
    } finally {
      await producer.disconnect();
    }
  });

  it('refuses a wrong password (provokes a SASL authentication failure on purpose)', async () => {
    const producer = asIngest(`${password}-wrong`).producer({ retry: { retries: 0 } });
    await expect(producer.connect()).rejects.toThrow(/SASL|authentication/i);
  });
});
