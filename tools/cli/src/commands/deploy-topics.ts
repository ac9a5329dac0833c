import { ALL_TOPIC_SPECS, topicConfigEntries, type TopicSpec } from '@wt/contracts';
import { generatedYaml } from './generated-yaml';

/** The Strimzi cluster the topics belong to (label `strimzi.io/cluster`). */
export const STRIMZI_CLUSTER = 'wt-kafka';
/** Replication in the base manifests (production-like); the dev overlay patches it down to 1. */
export const BASE_REPLICAS = 3;
export const BASE_MIN_INSYNC_REPLICAS = 2;

export interface KafkaTopicResource {
  apiVersion: 'kafka.strimzi.io/v1';
  kind: 'KafkaTopic';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { topicName: string; partitions: number; replicas: number; config: Record<string, string> };
}

/** One Strimzi `KafkaTopic` per topic of the contracts catalogue, with its partitions, retention and compaction. */
export function kafkaTopicResource(spec: TopicSpec): KafkaTopicResource {
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaTopic',
    // Topic names are valid DNS subdomains (lowercase, digits, '.', '-'), so they name the resource as is.
    metadata: {
      name: spec.topic,
      labels: { 'strimzi.io/cluster': STRIMZI_CLUSTER, 'wt.io/visibility': spec.visibility },
      annotations: { 'wt.io/description': spec.description, 'wt.io/key': spec.key },
    },
    spec: {
      topicName: spec.topic,
      partitions: spec.partitions,
      replicas: BASE_REPLICAS,
      config: { ...topicConfigEntries(spec), 'min.insync.replicas': String(BASE_MIN_INSYNC_REPLICAS) },
    },
  };
}

/** `wt deploy topics`: the multi-document YAML of deploy/base/kafka-topics.yaml. */
export async function deployTopicsYaml(): Promise<string> {
  const what = { from: 'libs/contracts TOPIC_SPECS', command: 'deploy topics', file: 'deploy/base/kafka-topics.yaml' };
  return generatedYaml(what, ALL_TOPIC_SPECS.map(kafkaTopicResource), { lineWidth: 0 });
}
