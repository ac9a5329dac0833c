import { ALL_TOPIC_SPECS, KAFKA_SERVICES, kafkaAclsOf, topicConfigEntries } from '@wt/contracts';
import { type K8sObject, podSpecOf } from './lib/k8s-object';
import { kubectlAvailable, OVERLAYS, renderOverlay, validateAgainstSchemas } from './lib/kustomize';
import { CONSUMERS, DB_SERVICES, DEV_ONLY_APPS, PORTS, SERVICES } from './lib/services';
import { configViolations, workloadViolations } from './lib/workload-policy';
import { fromRoot } from './lib/workspace';

const haveKubectl = kubectlAvailable();
if (!haveKubectl)
  console.warn('SKIPPED deploy/ manifest checks: kubectl is not installed (apt-get install kubectl, or any kubectl >= 1.27)');
const describeRendered = haveKubectl ? describe : describe.skip;

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const names = (objects: K8sObject[]) => objects.map((o) => o.metadata.name).sort();

describeRendered.each(OVERLAYS)('deploy/overlays/%s', (overlay) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = renderOverlay(overlay);
  });

  it('renders with kubectl kustomize into namespaced objects', () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const object of objects) expect(object.metadata.namespace).toBe(overlay === 'dev' ? 'wt-dev' : 'wt');
  });

  it('validates every object against the Kubernetes and KEDA schemas', () => {
    const results = validateAgainstSchemas(objects);
    expect(results.filter((r) => r.status === 'invalid')).toEqual([]);
    // Every kind has a schema: Strimzi's and the Prometheus Operator's come from their CRDs.
    expect(results.filter((r) => r.status === 'no-schema').map((r) => `${r.apiVersion}/${r.kind}`)).toEqual([]);
  });

  it('has, per service, a Deployment, Service, PodDisruptionBudget, scaler and ingress NetworkPolicy', () => {
    const expected = overlay === 'dev' ? [...SERVICES, ...DEV_ONLY_APPS] : SERVICES;
    expect(names(byKind(objects, 'Deployment'))).toEqual([...expected].sort());
    expect(names(byKind(objects, 'Service'))).toEqual([...expected].sort());
    expect(names(byKind(objects, 'PodDisruptionBudget'))).toEqual([...expected].sort());
    // Consumers scale on lag with KEDA; the dev-only sandbox, which consumes nothing, does not scale.
    expect(names(byKind(objects, 'ScaledObject'))).toEqual(SERVICES.filter((s) => CONSUMERS.has(s)).sort());
    // The sandbox keeps Meta's per-number limits in memory: one replica, never scaled.
    expect(names(byKind(objects, 'HorizontalPodAutoscaler'))).toEqual([]);
    const scaled = new Set(
      byKind(objects, 'ScaledObject').map((o) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name),
    );
    for (const deployment of byKind(objects, 'Deployment')) {
      // KEDA owns the count of a scaled Deployment: a spec.replicas would reset it (and rebalance the group) on every apply.
      const replicas = (deployment.spec as { replicas?: number }).replicas;
      expect({ name: deployment.metadata.name, replicas }).toEqual({
        name: deployment.metadata.name,
        replicas: scaled.has(deployment.metadata.name) ? undefined : 1,
      });
    }
    for (const deployment of byKind(objects, 'Deployment')) {
      const container = podSpecOf(deployment)?.containers[0] as { ports?: { containerPort: number }[] } | undefined;
      expect({ name: deployment.metadata.name, port: container?.ports?.[0]?.containerPort }).toEqual({
        name: deployment.metadata.name,
        port: PORTS.get(deployment.metadata.name),
      });
    }
    const ingress = byKind(objects, 'NetworkPolicy').map((o) => o.metadata.name);
    for (const service of expected) expect(ingress).toContain(`${service}-ingress`);
    expect(ingress).toContain('default-deny-all');
  });

  it('runs the migrations of each database-owning service as a one-shot Job, never at service boot', () => {
    const jobs = byKind(objects, 'Job');
    expect(names(jobs)).toEqual(DB_SERVICES.map((s) => `${s}-migrations`).sort());
    for (const job of jobs) {
      const env = podSpecOf(job)?.containers[0]?.env ?? [];
      expect(env).toEqual(
        expect.arrayContaining([
          { name: 'WT_RUN_MODE', value: 'migrate' },
          { name: 'DB_MIGRATIONS_RUN', value: 'true' },
        ]),
      );
    }
    for (const service of DB_SERVICES) {
      const config = byKind(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith(`${service}-config-`));
      expect(config?.data?.['DB_MIGRATIONS_RUN']).toBe('false');
    }
  });

  it('runs the profiles retention purge as a nightly one-shot CronJob, never two at once, with only the profiles database', () => {
    const cronJobs = byKind(objects, 'CronJob');
    expect(names(cronJobs)).toEqual(['profiles-retention-purge']);
    const [purge] = cronJobs;
    expect(purge.spec).toMatchObject({ concurrencyPolicy: 'Forbid', schedule: expect.stringMatching(/^\S+ \S+ \* \* \*$/) });
    const container = podSpecOf(purge)?.containers[0];
    expect(container?.image).toMatch(/profiles/);
    // The same settings as the profiles Deployment (the module it boots needs them): vault included, migrations never.
    expect(container?.env).toEqual(
      expect.arrayContaining([
        { name: 'WT_RUN_MODE', value: 'retention-purge' },
        { name: 'VAULT_MIGRATIONS_RUN', value: 'false' },
      ]),
    );
    const deployment = byKind(objects, 'Deployment').find((d) => d.metadata.name === 'profiles');
    const secretsOf = (c: typeof container) =>
      (c?.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [`${e.name}=${e.valueFrom.secretKeyRef.name}`] : [])).sort();
    expect(secretsOf(container)).toEqual(secretsOf(deployment ? podSpecOf(deployment)?.containers[0] : undefined));
    const dbSecrets = (container?.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name).filter((name) => /^wt-.+-db$/.test(name ?? ''));
    expect(dbSecrets).toEqual(['wt-profiles-db']);
    // Same window as the service that counts (one ConfigMap for both).
    expect(container?.envFrom).toEqual(expect.arrayContaining([{ configMapRef: { name: expect.stringMatching(/^profiles-config/) } }]));
    const labels = (purge.spec as { jobTemplate: { spec: { template: { metadata: { labels: Record<string, string> } } } } }).jobTemplate
      .spec.template.metadata.labels;
    expect(labels).toMatchObject({ 'wt.io/kafka-client': 'true', 'wt.io/postgres-client': 'true' });
  });

  it("gives each database owner's Deployment and migrations Job its own wt-<service>-db Secret, and no one else's", () => {
    const secretRefs = (o: K8sObject | undefined) =>
      (podSpecOf(o ?? ({} as K8sObject))?.containers ?? []).flatMap((c) =>
        (c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name).filter(Boolean),
      );
    for (const workload of [...byKind(objects, 'Deployment'), ...byKind(objects, 'Job')]) {
      const owner = workload.metadata.name.replace(/-migrations$/, '');
      const dbSecrets = secretRefs(workload).filter((name) => /^wt-.+-db$/.test(name ?? ''));
      expect({ workload: workload.metadata.name, dbSecrets }).toEqual({
        workload: workload.metadata.name,
        dbSecrets: DB_SERVICES.includes(owner) ? [`wt-${owner}-db`] : [],
      });
    }
  });

  it('scales each consumer on the lag of its own group, on topics its handlers subscribe to', () => {
    for (const scaler of byKind(objects, 'ScaledObject')) {
      const name = scaler.metadata.name;
      const spec = scaler.spec as { scaleTargetRef: { name: string }; triggers: { metadata: { topic: string; consumerGroup: string } }[] };
      expect(spec.scaleTargetRef.name).toBe(name);
      expect(spec.triggers.length).toBeGreaterThan(0);
      for (const { metadata } of spec.triggers) {
        expect({ name, group: metadata.consumerGroup }).toEqual({ name, group: `wt.${name}` });
        expect({ name, topic: metadata.topic, consumed: CONSUMERS.get(name)?.includes(metadata.topic) }).toEqual({
          name,
          topic: metadata.topic,
          consumed: true,
        });
      }
    }
  });

  it("gives each service its own KafkaUser with exactly the contracts' ACLs, and its Deployment and scaler those credentials", () => {
    const users = byKind(objects, 'KafkaUser');
    expect(names(users)).toEqual(KAFKA_SERVICES.map((s) => `wt-${s}`).sort());
    for (const service of KAFKA_SERVICES) {
      const user = users.find((u) => u.metadata.name === `wt-${service}`);
      const spec = user?.spec as { authentication: { type: string }; authorization: { type: string; acls: unknown[] } };
      expect(spec.authentication.type).toBe('scram-sha-512');
      expect(spec.authorization.acls).toEqual(
        kafkaAclsOf(service, 'wt').map((acl) => ({ resource: acl.resource, operations: acl.operations, host: '*' })),
      );
      const deployment = byKind(objects, 'Deployment').find((d) => d.metadata.name === service);
      const env = (podSpecOf(deployment as K8sObject)?.containers[0]?.env ?? []) as {
        name: string;
        value?: string;
        valueFrom?: { secretKeyRef?: { name: string; key: string } };
      }[];
      expect(env.find((e) => e.name === 'KAFKA_SASL_USERNAME')?.value).toBe(`wt-${service}`);
      expect(env.find((e) => e.name === 'KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
        name: `wt-${service}`,
        key: 'password',
      });
    }
    const auths = new Set(byKind(objects, 'TriggerAuthentication').map((a) => a.metadata.name));
    for (const scaler of byKind(objects, 'ScaledObject')) {
      const triggers = (scaler.spec as { triggers: { authenticationRef?: { name: string }; metadata: Record<string, string> }[] }).triggers;
      for (const trigger of triggers) {
        expect({
          scaler: scaler.metadata.name,
          auth: trigger.authenticationRef?.name,
          known: auths.has(trigger.authenticationRef?.name ?? ''),
        }).toEqual({
          scaler: scaler.metadata.name,
          auth: `${scaler.metadata.name}-kafka`,
          known: true,
        });
        expect([trigger.metadata['sasl'], trigger.metadata['tls']]).toEqual(['scram_sha512', 'enable']);
      }
    }
  });

  it('scales no consumer beyond the partitions of the topics it reads', () => {
    const partitions = new Map(ALL_TOPIC_SPECS.map((s) => [s.topic as string, s.partitions]));
    for (const scaler of byKind(objects, 'ScaledObject')) {
      const spec = scaler.spec as { maxReplicaCount: number; triggers: { type: string; metadata: { topic: string } }[] };
      for (const trigger of spec.triggers) {
        expect(trigger.type).toBe('kafka');
        expect(partitions.has(trigger.metadata.topic)).toBe(true);
      }
      const most = Math.max(...spec.triggers.map((t) => partitions.get(t.metadata.topic) ?? 0));
      expect(spec.maxReplicaCount).toBeLessThanOrEqual(most);
    }
  });

  it('passes the workload policy: probes, limits, non-root, read-only root filesystem, no secret values', () => {
    expect(objects.flatMap((o) => [...workloadViolations(o), ...configViolations(o)])).toEqual([]);
  });

  it('has a KafkaTopic for every topic of the contracts catalogue, with the same settings', () => {
    const topics = byKind(objects, 'KafkaTopic');
    const replicas = overlay === 'dev' ? 1 : 3;
    const manifests = new Map(topics.map((t) => [(t.spec as { topicName: string }).topicName, t.spec as Record<string, unknown>]));
    const missing = ALL_TOPIC_SPECS.filter((s) => !manifests.has(s.topic)).map((s) => s.topic);
    const extra = [...manifests.keys()].filter((name) => !ALL_TOPIC_SPECS.some((s) => s.topic === name));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    for (const spec of ALL_TOPIC_SPECS) {
      expect({ topic: spec.topic, ...manifests.get(spec.topic) }).toEqual({
        topic: spec.topic,
        topicName: spec.topic,
        partitions: spec.partitions,
        replicas,
        config: { ...topicConfigEntries(spec), 'min.insync.replicas': String(Math.max(1, replicas - 1)) },
      });
    }
    for (const topic of topics) expect(topic.metadata.labels?.['strimzi.io/cluster']).toBe('wt-kafka');
  });
});

describeRendered('deploy/kafka', () => {
  it("renders a Strimzi v1 Kafka (KRaft node pools, SCRAM over TLS, ACLs, Kafka Exporter) valid against Strimzi's schemas", () => {
    const objects = renderOverlay(fromRoot('deploy', 'kafka'));
    expect(validateAgainstSchemas(objects).map((r) => `${r.kind}/${r.name}: ${r.status}`)).toEqual([
      'Kafka/wt-kafka: valid',
      'KafkaNodePool/brokers: valid',
      'KafkaNodePool/controllers: valid',
    ]);
    const kafka = objects.find((o) => o.kind === 'Kafka')?.spec as {
      kafka: { listeners: { port: number; tls: boolean; authentication?: { type: string } }[]; authorization: { type: string } };
      kafkaExporter?: object;
    };
    expect(kafka.kafka.listeners).toEqual([expect.objectContaining({ port: 9093, tls: true, authentication: { type: 'scram-sha-512' } })]);
    expect(kafka.kafka.authorization.type).toBe('simple');
    expect(kafka.kafkaExporter).toBeDefined();
  });
});

describe("Strimzi's schemas", () => {
  it('refuse a KafkaTopic that breaks them, so that a valid one means something', () => {
    const broken = {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: { name: 'broken', labels: { 'strimzi.io/cluster': 'wt-kafka' } },
      spec: { partitions: 'six', replicas: 3 },
    } as unknown as K8sObject;
    expect(validateAgainstSchemas([broken])).toEqual([
      expect.objectContaining({ kind: 'KafkaTopic', status: 'invalid', error: expect.stringContaining('partitions') }),
    ]);
  });
});

describe('workload policy', () => {
  const compliant = (): K8sObject =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'svc' },
      spec: {
        template: {
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 1000 },
            containers: [
              {
                name: 'svc',
                env: [{ name: 'PSEUDONYM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
                readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
                livenessProbe: { httpGet: { path: '/health/live', port: 'http' } },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
                securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
              },
            ],
          },
        },
      },
    }) as K8sObject;
  const container = (o: K8sObject) => {
    const first = podSpecOf(o)?.containers[0];
    if (!first) throw new Error('no container');
    return first;
  };

  it('accepts a compliant Deployment', () => {
    expect(workloadViolations(compliant())).toEqual([]);
  });

  it('names each broken rule', () => {
    const broken = compliant();
    const c = container(broken);
    delete c.readinessProbe;
    c.resources = { requests: c.resources?.requests };
    c.securityContext = { readOnlyRootFilesystem: false, allowPrivilegeEscalation: true, runAsUser: 0 };
    c.env = [
      { name: 'WHATSAPP_ACCESS_TOKEN', value: 'EAAG-literal-token' },
      { name: 'UPSTREAM', value: 'postgres://wt:hunter2@db:5432/wt' },
    ];
    expect(workloadViolations(broken)).toEqual([
      'Deployment/svc container svc: readinessProbe must GET /health/ready',
      'Deployment/svc container svc: resources.limits.cpu is missing',
      'Deployment/svc container svc: resources.limits.memory is missing',
      'Deployment/svc container svc: runAsUser 0 is root',
      'Deployment/svc container svc: readOnlyRootFilesystem must be true',
      'Deployment/svc container svc: allowPrivilegeEscalation must be false',
      'Deployment/svc container svc: WHATSAPP_ACCESS_TOKEN has a literal value; reference a Secret (valueFrom.secretKeyRef)',
      'Deployment/svc container svc: UPSTREAM has a literal value; reference a Secret (valueFrom.secretKeyRef)',
    ]);
  });

  it('refuses Secrets with values and secrets in ConfigMaps', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'wt-identity' }, stringData: { CONTACT_KEY: 'x' } } as K8sObject;
    const config = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { DATABASE_URL: 'postgres://db/x', PORT: '1' },
    } as K8sObject;
    expect(configViolations(secret)).toHaveLength(1);
    expect(configViolations(config)).toEqual(['ConfigMap/c: DATABASE_URL looks like a secret; put it in a Secret']);
  });
});
