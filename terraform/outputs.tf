output "functions_application_id" {
  description = "OCID of the Functions application."
  value       = oci_functions_application.this.id
}

output "functions_function_id" {
  description = "OCID of the function."
  value       = oci_functions_function.this.id
}

output "functions_function_invoke_endpoint" {
  description = "Invoke endpoint of the function (for `oci fn function invoke`; the function finds it itself with GetFunction)."
  value       = oci_functions_function.this.invoke_endpoint
}

output "functions_function_config" {
  description = "The configuration passed to the function (environment variables)."
  value       = oci_functions_function.this.config
}

output "identity_dynamic_group_name" {
  description = "Name of the dynamic group that matches the function (created only when create_iam is true)."
  value       = local.dynamic_group_name
}

output "identity_dynamic_group_id" {
  description = "OCID of the dynamic group; null when create_iam is false."
  value       = one(oci_identity_dynamic_group.this[*].id)
}

output "identity_policy_ids" {
  description = "OCIDs of the policies by concern; empty when create_iam is false."
  value = {
    for k, p in {
      object_storage                   = oci_identity_policy.object_storage
      keys                             = oci_identity_policy.keys
      object_storage_service_keys      = oci_identity_policy.object_storage_service_keys
      events_invoke                    = oci_identity_policy.events_invoke
      sse_c                            = oci_identity_policy.sse_c
      manual_kms_keys                  = oci_identity_policy.manual_kms_keys
      self_invoke                      = oci_identity_policy.self_invoke
      run_state                        = oci_identity_policy.run_state
      object_storage_service_lifecycle = oci_identity_policy.object_storage_service_lifecycle
      failure_destination              = oci_identity_policy.failure_destination
      metrics                          = oci_identity_policy.metrics
      bucket_strategy                  = oci_identity_policy.bucket_strategy
    } : k => p[0].id if length(p) > 0
  }
}

output "identity_policy_statements" {
  description = "Every policy statement the function needs, by concern (also when create_iam is false, for an administrator to apply)."
  value       = { for k, v in local.policy_statements : k => v if length(v) > 0 }
}

output "events_rule_ids" {
  description = "OCIDs of the event rules by kind, then by compartment OCID."
  value = {
    upload            = { for c, r in oci_events_rule.upload : c => r.id }
    update_object     = { for c, r in oci_events_rule.update_object : c => r.id }
    key_rotation      = { for c, r in oci_events_rule.key_rotation : c => r.id }
    bucket_key_change = { for c, r in oci_events_rule.bucket_key_change : c => r.id }
  }
}

output "logging_log_group_id" {
  description = "OCID of the log group; null when create_invoke_log is false."
  value       = one(oci_logging_log_group.this[*].id)
}

output "logging_log_id" {
  description = "OCID of the invocation log; null when create_invoke_log is false."
  value       = one(oci_logging_log.invoke[*].id)
}

output "core_vcn_id" {
  description = "OCID of the VCN; null unless create_network is true."
  value       = one(oci_core_vcn.this[*].id)
}

output "core_subnet_ids" {
  description = "OCIDs of the subnets the application runs in."
  value       = local.subnet_ids
}

output "objectstorage_state_bucket_name" {
  description = "Name of the state bucket holding runs and their reports (empty when runs are not durable)."
  value       = local.state_bucket_name
}

output "ons_failures_topic_id" {
  description = "OCID of the failure-destination topic; null unless create_failure_destination is on and there is a state bucket."
  value       = one(oci_ons_notification_topic.failures[*].topic_id)
}

output "alarm_topic_id" {
  description = "OCID of the Notifications topic the alarms publish to; null unless create_alarms (and enable_metrics) is true."
  value       = one(oci_ons_notification_topic.alarms[*].id)
}

output "monitoring_alarm_ids" {
  description = "OCIDs of the alarms (failed, unfinished); empty unless create_alarms (and enable_metrics) is true."
  value       = { for k, a in { failed = oci_monitoring_alarm.failed, unfinished = oci_monitoring_alarm.unfinished } : k => one(a[*].id) if length(a) > 0 }
}

output "metrics_namespace" {
  description = "Monitoring namespace the function posts its metrics in; null when enable_metrics is false."
  value       = local.metrics_enabled ? local.metrics_namespace : null
}
