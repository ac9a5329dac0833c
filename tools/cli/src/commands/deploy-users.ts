import { KAFKA_SERVICES, kafkaAclsOf, type KafkaService } from '@wt/contracts';
import { STRIMZI_CLUSTER } from './deploy-topics';
import { generatedYaml } from './generated-yaml';

/** The consumer-group prefix of the base manifests (`KAFKA_GROUP_PREFIX` in the wt-common ConfigMap). */
export const BASE_GROUP_PREFIX = 'wt';

export interface KafkaUserResource {
  apiVersion: 'kafka.strimzi.io/v1';
  kind: 'KafkaUser';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    authentication: { type: 'scram-sha-512' };
    authorization: {
      type: 'simple';
      acls: { resource: { type: 'topic' | 'group'; name: string; patternType: 'literal' }; operations: string[]; host: string }[];
    };
  };
}

/** The KafkaUser (and so the Secret holding its password) of a service. */
export const kafkaUserName = (service: KafkaService): string => `wt-${service}`;

/** One Strimzi `KafkaUser` per service: SCRAM-SHA-512 credentials and exactly the ACLs of the contracts' TOPIC_ACCESS. */
export function kafkaUserResource(service: KafkaService): KafkaUserResource {
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaUser',
    metadata: { name: kafkaUserName(service), labels: { 'strimzi.io/cluster': STRIMZI_CLUSTER, 'app.kubernetes.io/name': service } },
    spec: {
      authentication: { type: 'scram-sha-512' },
      authorization: {
        type: 'simple',
        acls: kafkaAclsOf(service, BASE_GROUP_PREFIX).map((acl) => ({
          resource: { ...acl.resource },
          operations: [...acl.operations],
          host: '*',
        })),
      },
    },
  };
}

/** `wt deploy users`: the multi-document YAML of deploy/base/kafka-users.yaml. */
export async function deployUsersYaml(): Promise<string> {
  const what = { from: 'libs/contracts TOPIC_ACCESS', command: 'deploy users', file: 'deploy/base/kafka-users.yaml' };
  return generatedYaml(what, KAFKA_SERVICES.map(kafkaUserResource), { lineWidth: 0, singleQuote: true });
}
