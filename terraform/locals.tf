locals {
  ##############################################################################
  # Network
  ##############################################################################

  # A splat, not [0]: valid whichever branch is taken.
  subnet_ids = var.create_network ? oci_core_subnet.this[*].id : var.subnet_ids

  ##############################################################################
  # What is watched
  ##############################################################################

  key_compartment_ids    = length(var.key_compartment_ids) > 0 ? var.key_compartment_ids : var.watched_compartment_ids
  secret_compartment_ids = length(var.sse_c_secret_compartment_ids) > 0 ? var.sse_c_secret_compartment_ids : [var.compartment_id]

  # Optional features (the `feature` of src/oci/operations.ts).
  sse_c_enabled       = length(var.sse_c_secret_ids) > 0
  manual_keys_enabled = length(var.manual_kms_key_ids) > 0
  self_invoke_enabled = var.reencrypt_self_invoke
  metrics_enabled     = var.enable_metrics
  alarms_enabled      = var.enable_metrics && var.create_alarms

  # ReencryptBucket and its work requests: only when a sweep can pick the bucket strategy.
  bucket_strategy_enabled = var.reencrypt_strategy != "objects" || var.allow_bucket_strategy_requests

  # Metrics: on by default here, in the namespace "reencrypt" of the function's compartment.
  metrics_namespace      = coalesce(var.reencrypt_metrics_namespace, "reencrypt")
  metrics_compartment_id = coalesce(var.reencrypt_metrics_compartment_id, var.compartment_id)

  # The state bucket: the one the module creates, or one named in reencrypt_state_bucket.
  state_bucket_name = var.reencrypt_state_bucket != "" ? var.reencrypt_state_bucket : (var.create_state_bucket ? "${var.name}-state" : "")
  state_enabled     = local.state_bucket_name != ""
  # Resuming after a crash needs runs to resume (a state bucket) and a way to start the function.
  failure_destination_enabled = var.create_failure_destination && local.state_enabled

  ##############################################################################
  # Event rules. Event types are literal lists here so that the tests can read
  # them; each condition is the JSON the Events service matches against.
  ##############################################################################

  upload_event_types            = ["com.oraclecloud.objectstorage.createobject"]
  update_object_event_types     = ["com.oraclecloud.objectstorage.updateobject"]
  key_rotation_event_types      = ["com.oraclecloud.keymanagementservice.autokeyrotate.end", "com.oraclecloud.keymanagementservice.createkeyversion.end"]
  bucket_key_change_event_types = ["com.oraclecloud.objectstorage.updatebucket"]

  filter_buckets = length(var.watched_bucket_names) > 0

  upload_condition            = local.filter_buckets ? jsonencode({ eventType = local.upload_event_types, data = { additionalDetails = { bucketName = var.watched_bucket_names } } }) : jsonencode({ eventType = local.upload_event_types })
  update_object_condition     = local.filter_buckets ? jsonencode({ eventType = local.update_object_event_types, data = { additionalDetails = { bucketName = var.watched_bucket_names } } }) : jsonencode({ eventType = local.update_object_event_types })
  bucket_key_change_condition = local.filter_buckets ? jsonencode({ eventType = local.bucket_key_change_event_types, data = { additionalDetails = { bucketName = var.watched_bucket_names } } }) : jsonencode({ eventType = local.bucket_key_change_event_types })
  # Where key events carry the key OCID is UNVERIFIED (see README): no key
  # filter unless asked for. The function ignores keys no bucket uses.
  key_rotation_condition = var.filter_key_events_by_resource_id ? jsonencode({ eventType = local.key_rotation_event_types, data = { resourceId = var.watched_key_ids } }) : jsonencode({ eventType = local.key_rotation_event_types })

  ##############################################################################
  # IAM. Every statement names its verb and resource type literally (the tests
  # parse them and compare with OCI_OPERATIONS in src/oci/operations.ts).
  ##############################################################################

  dynamic_group_name    = "${var.name}-fn"
  policy_compartment_id = coalesce(var.policy_compartment_id, var.tenancy_id)

  # `in tenancy` for the root compartment, `in compartment id <ocid>` otherwise.
  watched_scopes  = [for c in var.watched_compartment_ids : c == var.tenancy_id ? "tenancy" : "compartment id ${c}"]
  key_scopes      = [for c in local.key_compartment_ids : c == var.tenancy_id ? "tenancy" : "compartment id ${c}"]
  secret_scopes   = [for c in local.secret_compartment_ids : c == var.tenancy_id ? "tenancy" : "compartment id ${c}"]
  function_scope  = var.compartment_id == var.tenancy_id ? "tenancy" : "compartment id ${var.compartment_id}"
  bucket_clause   = local.filter_buckets ? " where any {${join(", ", [for b in var.watched_bucket_names : "target.bucket.name = '${b}'"])}}" : ""
  key_clause      = " where any {${join(", ", [for k in var.watched_key_ids : "target.key.id = '${k}'"])}}"
  vault_clause    = length(var.watched_vault_ids) > 0 ? " where any {${join(", ", [for v in var.watched_vault_ids : "target.vault.id = '${v}'"])}}" : ""
  state_scope     = local.function_scope
  state_clause    = " where target.bucket.name = '${local.state_bucket_name}'"
  # Notifications' policy reference supports only the general variables (no target.topic.id): the
  # grant is limited to publishing (ONS_TOPIC_PUBLISH, not subscribing) in the function's compartment.
  topic_clause    = " where request.permission = 'ONS_TOPIC_PUBLISH'"
  secret_clause   = " where any {${join(", ", [for s in var.sse_c_secret_ids : "target.secret.id = '${s}'"])}}"
  metrics_scope   = local.metrics_compartment_id == var.tenancy_id ? "tenancy" : "compartment id ${local.metrics_compartment_id}"
  metrics_clause  = " where target.metrics.namespace = '${local.metrics_namespace}'"
  dynamic_group   = "dynamic-group ${local.dynamic_group_name}"
  objectstorage_s = "service objectstorage-${var.region}"

  # Keys a manual request may name (also REENCRYPT_ALLOWED_KMS_KEY_IDS below);
  # Object Storage must be able to use them as well as the watched keys.
  manual_key_clause  = " where any {${join(", ", [for k in var.manual_kms_key_ids : "target.key.id = '${k}'"])}}"
  service_key_clause = " where any {${join(", ", [for k in distinct(concat(var.watched_key_ids, var.manual_kms_key_ids)) : "target.key.id = '${k}'"])}}"

  policy_statements = {
    # ListBuckets cannot be limited by bucket name (it spans buckets), so
    # `inspect buckets` has no bucket clause; everything else does.
    object_storage = flatten([for s in local.watched_scopes : [
      "allow ${local.dynamic_group} to inspect buckets in ${s}",
      "allow ${local.dynamic_group} to read buckets in ${s}${local.bucket_clause}",
      "allow ${local.dynamic_group} to use objects in ${s}${local.bucket_clause}",
    ]])
    keys = flatten([for s in local.key_scopes : [
      "allow ${local.dynamic_group} to read vaults in ${s}${local.vault_clause}",
      "allow ${local.dynamic_group} to read keys in ${s}${local.key_clause}",
    ]])
    object_storage_service_keys = [for s in local.key_scopes : "allow ${local.objectstorage_s} to use keys in ${s}${local.service_key_clause}"]
    events_invoke               = ["allow service cloudEvents to use functions-family in ${local.function_scope}"]
    sse_c                       = local.sse_c_enabled ? [for s in local.secret_scopes : "allow ${local.dynamic_group} to read secret-bundles in ${s}${local.secret_clause}"] : []
    # ReencryptObject with an explicit kmsKeyId assigns that key to the object.
    manual_kms_keys = local.manual_keys_enabled ? [for s in local.key_scopes : "allow ${local.dynamic_group} to use key-delegate in ${s}${local.manual_key_clause}"] : []
    # The Functions policy language has no per-function variable: the scope is
    # the function's compartment.
    # GetFunction (self-discovery of the invoke endpoint), then the detached invoke.
    self_invoke = local.self_invoke_enabled ? [
      "allow ${local.dynamic_group} to read fn-function in ${local.function_scope}",
      "allow ${local.dynamic_group} to use fn-invocation in ${local.function_scope}",
    ] : []
    # Run state: create, replace (if-match), read, list and delete objects, in the state bucket only.
    run_state = local.state_enabled ? ["allow ${local.dynamic_group} to manage objects in ${local.state_scope}${local.state_clause}"] : []
    # The Functions platform publishes a failed detached invocation's record to the topic as the
    # function (UNVERIFIED: see terraform/README.md), and the function publishes a run's resume to
    # it when Functions refuses the successor of the run's first invocation (PublishMessage).
    failure_destination = local.failure_destination_enabled ? ["allow ${local.dynamic_group} to use ons-topics in ${local.function_scope}${local.topic_clause}"] : []
    # Lifecycle rules run as the Object Storage service of the region.
    object_storage_service_lifecycle = var.create_state_bucket ? ["allow ${local.objectstorage_s} to manage object-family in ${local.state_scope}${local.state_clause}"] : []
    # The bucket strategy: ReencryptBucket (BUCKET_UPDATE, `use buckets`) and GetWorkRequest /
    # ListWorkRequestErrors (OBJECT_READ, `read objects`), on the watched buckets only.
    bucket_strategy = local.bucket_strategy_enabled ? flatten([for s in local.watched_scopes : [
      "allow ${local.dynamic_group} to use buckets in ${s}${local.bucket_clause}",
      "allow ${local.dynamic_group} to read objects in ${s}${local.bucket_clause}",
    ]]) : []
    # PostMetricData, only into the function's own metric namespace.
    metrics = local.metrics_enabled ? ["allow ${local.dynamic_group} to use metrics in ${local.metrics_scope}${local.metrics_clause}"] : []
  }

  ##############################################################################
  # Function configuration: exactly the keys of CONFIG_SCHEMA (src/config/schema.ts).
  # The allowlists come from the same variables as the IAM statements above,
  # so what the function allows and what IAM grants cannot disagree.
  ##############################################################################

  function_config = {
    REENCRYPT_COMPARTMENT_IDS           = var.reencrypt_compartment_ids != "" ? var.reencrypt_compartment_ids : join(",", var.watched_compartment_ids)
    REENCRYPT_NAMESPACE                 = var.reencrypt_namespace
    REENCRYPT_VAULT_IDS                 = var.reencrypt_vault_ids != "" ? var.reencrypt_vault_ids : join(",", var.watched_vault_ids)
    REENCRYPT_ALLOWED_KMS_KEY_IDS       = join(",", var.manual_kms_key_ids)
    REENCRYPT_ALLOWED_SSE_C_SECRET_IDS  = join(",", var.sse_c_secret_ids)
    REENCRYPT_CONCURRENCY               = tostring(var.reencrypt_concurrency)
    REENCRYPT_SAFETY_MARGIN_SECONDS     = tostring(var.reencrypt_safety_margin_seconds)
    REENCRYPT_CLOCK_SKEW_SECONDS        = tostring(var.reencrypt_clock_skew_seconds)
    REENCRYPT_MAX_ATTEMPTS              = tostring(var.reencrypt_max_attempts)
    REENCRYPT_HANDLE_UPDATE_OBJECT      = var.reencrypt_handle_update_object ? "true" : "false"
    REENCRYPT_SELF_INVOKE               = var.reencrypt_self_invoke ? "true" : "false"
    REENCRYPT_MAX_FAILURES_REPORTED     = tostring(var.reencrypt_max_failures_reported)
    REENCRYPT_LOG_LEVEL                 = var.reencrypt_log_level
    REENCRYPT_AUTH                      = var.reencrypt_auth
    REENCRYPT_OCI_CONFIG_FILE           = var.reencrypt_oci_config_file
    REENCRYPT_OCI_CONFIG_PROFILE        = var.reencrypt_oci_config_profile
    REENCRYPT_OBJECTSTORAGE_ENDPOINT    = var.reencrypt_objectstorage_endpoint
    REENCRYPT_KMS_VAULT_ENDPOINT        = var.reencrypt_kms_vault_endpoint
    REENCRYPT_KMS_MANAGEMENT_ENDPOINT   = var.reencrypt_kms_management_endpoint
    REENCRYPT_SECRETS_ENDPOINT          = var.reencrypt_secrets_endpoint
    REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT = var.reencrypt_functions_invoke_endpoint
    REENCRYPT_FUNCTIONS_ENDPOINT        = var.reencrypt_functions_endpoint
    REENCRYPT_STATE_BUCKET              = var.reencrypt_state_bucket != "" ? var.reencrypt_state_bucket : local.state_bucket_name
    REENCRYPT_CHECKPOINT_SECONDS        = tostring(var.reencrypt_checkpoint_seconds)
    REENCRYPT_NO_PROGRESS_LIMIT         = tostring(var.reencrypt_no_progress_limit)
    REENCRYPT_MAX_INVOCATIONS           = tostring(var.reencrypt_max_invocations)
    REENCRYPT_MAX_WORKERS               = tostring(var.reencrypt_max_workers)
    REENCRYPT_RANGE_SIZE                = tostring(var.reencrypt_range_size)
    REENCRYPT_METRICS_NAMESPACE         = var.enable_metrics ? coalesce(var.reencrypt_metrics_namespace, "reencrypt") : ""
    REENCRYPT_METRICS_COMPARTMENT_ID    = var.enable_metrics ? coalesce(var.reencrypt_metrics_compartment_id, var.compartment_id) : var.reencrypt_metrics_compartment_id
    REENCRYPT_MONITORING_ENDPOINT       = var.reencrypt_monitoring_endpoint

    # The failure destination's topic doubles as the resume topic (README, Runs that cannot hand over):
    # its OCID and its API endpoint (PublishMessage goes there); empty without a failure destination.
    REENCRYPT_RESUME_TOPIC_ID        = var.reencrypt_resume_topic_id != "" ? var.reencrypt_resume_topic_id : join("", oci_ons_notification_topic.failures[*].topic_id)
    REENCRYPT_NOTIFICATIONS_ENDPOINT = var.reencrypt_notifications_endpoint != "" ? var.reencrypt_notifications_endpoint : join("", oci_ons_notification_topic.failures[*].api_endpoint)

    # Strategies (README, Strategies).
    REENCRYPT_STRATEGY                    = var.reencrypt_strategy
    REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS = tostring(var.reencrypt_bucket_strategy_min_objects)
  }
}
