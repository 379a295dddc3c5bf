# Alarms on the function's custom metrics (src/metrics/run-metrics.ts; names and
# dimensions in docs/operations.md), delivered to a Notifications topic.

resource "oci_ons_notification_topic" "alarms" {
  count = local.alarms_enabled ? 1 : 0

  compartment_id = var.compartment_id
  # Topic names are unique in the tenancy.
  name          = "${var.name}-alarms"
  description   = "${var.name}: re-encryption alarms."
  freeform_tags = var.freeform_tags
  defined_tags  = var.defined_tags
}

resource "oci_ons_subscription" "alarm_email" {
  count = local.alarms_enabled && var.alarm_email != "" ? 1 : 0

  compartment_id = var.compartment_id
  topic_id       = oci_ons_notification_topic.alarms[0].id
  protocol       = "EMAIL"
  endpoint       = var.alarm_email
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags
}

# Any version that failed to re-encrypt, per bucket (one notification per
# bucket dimension). A failure stays failed until someone acts: see the runbook.
resource "oci_monitoring_alarm" "failed" {
  count = local.alarms_enabled ? 1 : 0

  compartment_id        = var.compartment_id
  display_name          = "${var.name}: re-encryption failed"
  destinations          = [oci_ons_notification_topic.alarms[0].id]
  is_enabled            = true
  metric_compartment_id = local.metrics_compartment_id
  namespace             = local.metrics_namespace
  query                 = "versions_failed[5m].sum() > 0"
  severity              = "CRITICAL"
  pending_duration      = "PT1M"
  resolution            = "1m"
  body                  = "Object versions failed to re-encrypt. The function's summary log line and report list each one with OCI's status and opc-request-id. Runbook: docs/operations.md, \"A failed object\"."

  is_notifications_per_metric_dimension_enabled = true
  freeform_tags                                 = var.freeform_tags
  defined_tags                                  = var.defined_tags
}

# A run still going after N hours. An alarm looks back at most an hour, so the
# function posts the run's age (unfinished_run_age_seconds, measured from its
# first invocation and carried in the continuation) rather than a flag.
resource "oci_monitoring_alarm" "unfinished" {
  count = local.alarms_enabled ? 1 : 0

  compartment_id        = var.compartment_id
  display_name          = "${var.name}: run unfinished after ${var.alarm_unfinished_after_hours} h"
  destinations          = [oci_ons_notification_topic.alarms[0].id]
  is_enabled            = true
  metric_compartment_id = local.metrics_compartment_id
  namespace             = local.metrics_namespace
  query                 = "unfinished_run_age_seconds[1h].max() > ${var.alarm_unfinished_after_hours * 3600}"
  severity              = "WARNING"
  pending_duration      = "PT1M"
  resolution            = "1m"
  body                  = "A re-encryption run has been unfinished for more than ${var.alarm_unfinished_after_hours} hours. Runbook: docs/operations.md, \"An unfinished run\"."

  is_notifications_per_metric_dimension_enabled = true
  freeform_tags                                 = var.freeform_tags
  defined_tags                                  = var.defined_tags
}
