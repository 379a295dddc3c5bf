/**
 * Metrics and alarms: the alarms query the metrics the function posts
 * (src/metrics/run-metrics.ts), in the namespace and compartment the function
 * is configured with; they exist only when asked for. Resource and argument
 * names are checked against the provider reference by provider-names.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MetricNames } from '../../src/metrics/run-metrics';
import { TERRAFORM_DIR, loadConfig, locals, resource, variables, type TfConfig } from './hcl';

let config: TfConfig;
beforeAll(async () => {
  config = await loadConfig(TERRAFORM_DIR);
});

/** ISO 8601 durations the alarm arguments take, in minutes (only the forms used here). */
function minutes(duration: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(duration);
  if (!m) throw new Error(`not a PTnHnM duration: ${duration}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

describe('alarms', () => {
  const alarms = () => ({ failed: resource(config, 'oci_monitoring_alarm', 'failed'), unfinished: resource(config, 'oci_monitoring_alarm', 'unfinished') });

  it('query metrics the function posts, in its namespace and metrics compartment', () => {
    const { failed, unfinished } = alarms();
    expect(failed['query']).toBe(`${MetricNames.failed}[5m].sum() > 0`);
    expect(unfinished['query']).toBe(`${MetricNames.unfinishedAge}[1h].max() > \${var.alarm_unfinished_after_hours * 3600}`);
    for (const a of [failed, unfinished]) {
      expect(a['namespace']).toBe('${local.metrics_namespace}');
      expect(a['metric_compartment_id']).toBe('${local.metrics_compartment_id}');
      expect(a['destinations']).toEqual(['${oci_ons_notification_topic.alarms[0].id}']);
      expect(a['count']).toBe('${local.alarms_enabled ? 1 : 0}');
      expect(a['is_enabled']).toBe(true);
      // Provider reference: pending_duration from PT1M to PT1H; severity one of these.
      expect(minutes(String(a['pending_duration']))).toBeGreaterThanOrEqual(1);
      expect(minutes(String(a['pending_duration']))).toBeLessThanOrEqual(60);
      expect(['CRITICAL', 'ERROR', 'WARNING', 'INFO']).toContain(a['severity']);
      expect(String(a['body'])).toContain('docs/operations.md');
    }
  });

  it('the function is configured with the namespace and compartment the alarms read', () => {
    const l = locals(config);
    expect(l.get('metrics_namespace')).toBe('${coalesce(var.reencrypt_metrics_namespace, "reencrypt")}');
    expect(l.get('metrics_compartment_id')).toBe('${coalesce(var.reencrypt_metrics_compartment_id, var.compartment_id)}');
    const fnConfig = l.get('function_config') as Record<string, string>;
    expect(fnConfig['REENCRYPT_METRICS_NAMESPACE']).toBe('${var.enable_metrics ? coalesce(var.reencrypt_metrics_namespace, "reencrypt") : ""}');
    expect(fnConfig['REENCRYPT_METRICS_COMPARTMENT_ID']).toContain('coalesce(var.reencrypt_metrics_compartment_id, var.compartment_id)');
  });

  it('metrics are on by default, alarms only when asked for, and only with metrics', () => {
    const v = variables(config);
    expect(v.get('enable_metrics')?.['default']).toBe(true);
    expect(v.get('create_alarms')?.['default']).toBe(false);
    expect(locals(config).get('alarms_enabled')).toBe('${var.enable_metrics && var.create_alarms}');
  });

  it('a topic, and an email subscription only when an address is given', () => {
    const topic = resource(config, 'oci_ons_notification_topic', 'alarms');
    expect(topic['count']).toBe('${local.alarms_enabled ? 1 : 0}');
    expect(topic['name']).toBe('${var.name}-alarms');
    const sub = resource(config, 'oci_ons_subscription', 'alarm_email');
    expect(sub['count']).toBe('${local.alarms_enabled && var.alarm_email != "" ? 1 : 0}');
    expect(sub).toMatchObject({ protocol: 'EMAIL', endpoint: '${var.alarm_email}', topic_id: '${oci_ons_notification_topic.alarms[0].id}' });
  });

  it('validates the hours and the email address', () => {
    const v = variables(config);
    const condition = (name: string) => String((v.get(name)?.['validation'] as { condition: string }[] | undefined)?.[0]?.condition);
    expect(condition('alarm_unfinished_after_hours')).toContain('var.alarm_unfinished_after_hours >= 1');
    expect(condition('alarm_unfinished_after_hours')).toContain('var.alarm_unfinished_after_hours <= 720');
    expect(condition('alarm_email')).toContain('var.alarm_email == ""');
    expect(condition('reencrypt_metrics_namespace')).toContain('!startswith(var.reencrypt_metrics_namespace, "oci_")');
  });
});
