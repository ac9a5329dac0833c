#!/usr/bin/env node
// Validates Kubernetes objects against their OpenAPI schemas, offline, with kubernetes-models
// (and the KEDA, Strimzi and Prometheus Operator model packages, generated from their CRDs)
// (ESM-only, hence a separate script the jest specs run). Input: a JSON array of objects on stdin.
// Output: a JSON array, one entry per object: { kind, name, status: 'valid'|'invalid'|'no-schema', error? }.

/**
 * apiVersion -> module exporting the kinds of that group/version.
 * @param {string} apiVersion
 * @param {string} kind
 * @returns {Promise<(new (object: unknown) => { validate(): void }) | undefined>} the kind's model class, if a package has one
 */
async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const candidates = [];
  if (group === 'keda.sh') candidates.push(`@kubernetes-models/keda/keda.sh/${version}`);
  // Strimzi's and the Prometheus Operator's models are generated from their own CRD schemas.
  else if (group === 'kafka.strimzi.io') candidates.push(`@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/${version}`);
  else if (group === 'monitoring.coreos.com') candidates.push(`@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`);
  else candidates.push(group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`);
  for (const specifier of candidates) {
    try {
      const mod = await import(specifier);
      if (typeof mod[kind] === 'function') return mod[kind];
    } catch {
      // not a group this package knows
    }
  }
  return undefined;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const objects = JSON.parse(input);
const results = [];
for (const object of objects) {
  const entry = { kind: object.kind, name: object.metadata?.name, apiVersion: object.apiVersion };
  const Model = object.apiVersion && object.kind ? await modelFor(object.apiVersion, object.kind) : undefined;
  if (!Model) {
    results.push({ ...entry, status: 'no-schema' });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ ...entry, status: 'valid' });
  } catch (error) {
    results.push({ ...entry, status: 'invalid', error: /** @type {Error} */ (error).message });
  }
}
process.stdout.write(JSON.stringify(results));
