import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { validateAgainstSchemas } from './lib/kustomize';
import { type K8sObject } from './lib/k8s-object';
import { discoverApps } from './lib/services';
import { fromRoot } from './lib/workspace';

// The rules' behaviour is tested by `promtool test rules` (npm test's "alert rules" phase and
// `npm run test:alerts`); these checks keep the rule file and its tests honest with the code.

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTest {
  alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
}

const rule = parse(readFileSync(fromRoot('deploy/base/monitoring/prometheus-rules.yaml'), 'utf8')) as K8sObject & {
  spec: { groups: { name: string; rules: Rule[] }[] };
};
const tests = parse(readFileSync(fromRoot('deploy/base/monitoring/prometheus-rules.test.yaml'), 'utf8')) as { tests: AlertTest[] };
const podMonitor = parse(readFileSync(fromRoot('deploy/base/monitoring/podmonitor.yaml'), 'utf8')) as K8sObject;
const rules = rule.spec.groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert);

describe('deploy/base/monitoring', () => {
  it('is valid against the Prometheus Operator schemas', () => {
    expect(validateAgainstSchemas([rule, podMonitor]).map((r) => r.status)).toEqual(['valid', 'valid']);
  });

  it('alerts on what issue 18 asks for: lag, dead letters, WhatsApp errors, halted sending, readiness, outbox, SLO burn', () => {
    const text = alerts.map((a) => a.expr).join('\n');
    for (const needle of [
      'kafka_consumergroup_lag',
      'wt_dead_letters_total',
      'code="130429"',
      'code="131049"',
      'code="131048"',
      'wt_dispatch_sending_halted',
      'kube_deployment_status_replicas_unavailable',
      'wt_decision_outbox_relayed_total',
      'wt:decision_freshness_errors:ratio_rate1h',
    ]) {
      expect({ needle, found: text.includes(needle) }).toEqual({ needle, found: true });
    }
  });

  it('gives every alert a severity, a summary and a runbook link', () => {
    for (const alert of alerts) {
      expect({ alert: alert.alert, severity: ['page', 'ticket'].includes(alert.labels?.['severity'] ?? '') }).toEqual({
        alert: alert.alert,
        severity: true,
      });
      expect(alert.annotations?.['summary']).toEqual(expect.any(String));
      expect(alert.annotations?.['runbook_url']).toMatch(/docs\/alerts\.md#alert-/);
    }
  });

  it("links each alert's runbook to a section of docs/alerts.md", () => {
    const headings = new Set([...readFileSync(fromRoot('docs/alerts.md'), 'utf8').matchAll(/^#+ (alert-[a-z-]+)$/gm)].map((m) => m[1]));
    const anchors = alerts.map((a) => a.annotations?.['runbook_url']?.split('#')[1] ?? '');
    expect(anchors.filter((anchor) => !headings.has(anchor))).toEqual([]);
  });

  it('has a promtool case where each alert fires', () => {
    const firing = new Set(
      tests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)),
    );
    expect(alerts.map((a) => a.alert).filter((name) => !firing.has(name ?? ''))).toEqual([]);
  });

  it('queries only wt_ metrics a service of this repository registers', () => {
    const used = new Set(rules.flatMap((r) => r.expr.match(/\bwt_[a-z_]+/g) ?? []).map((m) => m.replace(/_(bucket|sum|count)$/, '')));
    const missing = [...used].filter((metric) => {
      const grep = spawnSync('grep', ['-rlF', `'${metric}'`, 'apps', 'libs', '--include=*.ts'], { cwd: fromRoot(), encoding: 'utf8' });
      return grep.stdout.trim().length === 0;
    });
    expect(missing).toEqual([]);
  });

  it('scrapes every deployed service through the PodMonitor', () => {
    const selector = (podMonitor.spec as { selector: { matchExpressions: { key: string; values: string[] }[] } }).selector;
    const names = selector.matchExpressions.find((e) => e.key === 'app.kubernetes.io/name')?.values ?? [];
    expect(
      discoverApps()
        .map((a) => a.name)
        .filter((name) => !names.includes(name)),
    ).toEqual([]);
  });
});
