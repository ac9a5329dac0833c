import { execFileSync, spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { type K8sObject } from './k8s-object';
import { fromRoot } from './workspace';

export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

/** Renders one overlay offline (`kubectl kustomize`, no API server); throws with kubectl's message. */
export function renderOverlay(overlay: Overlay | string): K8sObject[] {
  const dir = overlay.startsWith('/') ? overlay : fromRoot('deploy', 'overlays', overlay);
  let text: string;
  try {
    text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr.trim()}`);
  }
  return parseYamlStream(text);
}

export function parseYamlStream(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
      return doc.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

export interface SchemaResult {
  kind: string;
  name: string;
  apiVersion: string;
  status: 'valid' | 'invalid' | 'no-schema';
  error?: string;
}

/** Validates objects against the Kubernetes (and KEDA) schemas of kubernetes-models. */
export function validateAgainstSchemas(objects: K8sObject[]): SchemaResult[] {
  const out = execFileSync(process.execPath, [fromRoot('tools/ops/scripts/validate-k8s.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    cwd: fromRoot(),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as SchemaResult[];
}
