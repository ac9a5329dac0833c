import { type Container, type K8sObject, podSpecOf } from './k8s-object';

/** Names of variables that carry a secret: they must come from a Secret, never a literal or a ConfigMap. */
export const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|(^|_)KEY$|^CONTACT_KEY$|DATABASE_URL|API_KEY/i;
/** A URL with a password in it (`scheme://user:password@host`). */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/**
 * What every workload must satisfy, as readable violations (empty: compliant):
 * - long-running containers (Deployment, StatefulSet, DaemonSet) have a readiness probe on
 *   /health/ready and a liveness probe on /health/live;
 * - every container has CPU and memory requests and limits;
 * - pods run as non-root, containers with a read-only root filesystem and no privilege escalation;
 * - no secret value: secret-looking variables come from `secretKeyRef`, no literal looks like a credential.
 */
export function workloadViolations(object: K8sObject): string[] {
  const pod = podSpecOf(object);
  if (!pod) return [];
  const where = `${object.kind}/${object.metadata.name}`;
  const longRunning = ['Deployment', 'StatefulSet', 'DaemonSet'].includes(object.kind);
  const violations: string[] = [];
  if (pod.hostNetwork) violations.push(`${where}: hostNetwork is not allowed`);
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    const at = `${where} container ${container.name}`;
    if (longRunning) violations.push(...probeViolations(at, container));
    violations.push(...resourceViolations(at, container));
    const security = container.securityContext ?? {};
    const nonRoot = security.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
    const uid = security.runAsUser ?? pod.securityContext?.runAsUser;
    if (nonRoot !== true) violations.push(`${at}: runAsNonRoot must be true`);
    if (uid === 0) violations.push(`${at}: runAsUser 0 is root`);
    if (security.readOnlyRootFilesystem !== true) violations.push(`${at}: readOnlyRootFilesystem must be true`);
    if (security.allowPrivilegeEscalation !== false) violations.push(`${at}: allowPrivilegeEscalation must be false`);
    if (security.privileged === true) violations.push(`${at}: privileged is not allowed`);
    violations.push(...secretViolations(at, container));
  }
  return violations;
}

function probeViolations(at: string, container: Container): string[] {
  const out: string[] = [];
  if (container.readinessProbe?.httpGet?.path !== '/health/ready') out.push(`${at}: readinessProbe must GET /health/ready`);
  if (container.livenessProbe?.httpGet?.path !== '/health/live') out.push(`${at}: livenessProbe must GET /health/live`);
  return out;
}

function resourceViolations(at: string, container: Container): string[] {
  const out: string[] = [];
  for (const bound of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (!container.resources?.[bound]?.[resource]) out.push(`${at}: resources.${bound}.${resource} is missing`);
    }
  }
  return out;
}

function secretViolations(at: string, container: Container): string[] {
  const out: string[] = [];
  for (const env of container.env ?? []) {
    if (env.value !== undefined && (SECRET_NAME.test(env.name) || URL_WITH_PASSWORD.test(env.value))) {
      out.push(`${at}: ${env.name} has a literal value; reference a Secret (valueFrom.secretKeyRef)`);
    }
    if (env.valueFrom?.configMapKeyRef && SECRET_NAME.test(env.name)) {
      out.push(`${at}: ${env.name} comes from a ConfigMap; reference a Secret`);
    }
  }
  return out;
}

/** ConfigMaps hold no secret, and the manifests carry no Secret with values. */
export function configViolations(object: K8sObject): string[] {
  const where = `${object.kind}/${object.metadata.name}`;
  if (object.kind === 'Secret') {
    const keys = [...Object.keys(object.data ?? {}), ...Object.keys(object.stringData ?? {})];
    return keys.length > 0
      ? [`${where}: manifests must not carry secret values (${keys.join(', ')}); reference an externally managed Secret`]
      : [];
  }
  if (object.kind !== 'ConfigMap') return [];
  return Object.entries(object.data ?? {}).flatMap(([key, value]) => {
    if (SECRET_NAME.test(key)) return [`${where}: ${key} looks like a secret; put it in a Secret`];
    if (URL_WITH_PASSWORD.test(value)) return [`${where}: ${key} holds a URL with a password`];
    return [];
  });
}
