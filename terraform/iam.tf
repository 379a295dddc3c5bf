# The function's identity: a dynamic group that matches this one function.
# Dynamic groups live in the tenancy (root compartment).
resource "oci_identity_dynamic_group" "this" {
  count = var.create_iam ? 1 : 0

  compartment_id = var.tenancy_id
  name           = local.dynamic_group_name
  description    = "The ${var.name} re-encryption function (matches its OCID only)."
  matching_rule  = "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.this.id}'}"
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags
}

# One small policy per concern; the statements are in locals.tf
# (local.policy_statements) and in the identity_policy_statements output.

resource "oci_identity_policy" "object_storage" {
  count = var.create_iam ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-object-storage"
  description    = "${var.name}: list the watched buckets, read them, and re-encrypt their objects."
  statements     = local.policy_statements.object_storage
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  depends_on = [oci_identity_dynamic_group.this]
}

resource "oci_identity_policy" "keys" {
  count = var.create_iam ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-keys"
  description    = "${var.name}: read the watched Vault keys, their versions and vaults."
  statements     = local.policy_statements.keys
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  depends_on = [oci_identity_dynamic_group.this]
}

resource "oci_identity_policy" "object_storage_service_keys" {
  count = var.create_iam ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-objectstorage-service-keys"
  description    = "${var.name}: let Object Storage in ${var.region} use the watched keys to encrypt and re-encrypt objects."
  statements     = local.policy_statements.object_storage_service_keys
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags
}

resource "oci_identity_policy" "events_invoke" {
  count = var.create_iam ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-events-invoke"
  description    = "${var.name}: let the Events service invoke functions in the function's compartment."
  statements     = local.policy_statements.events_invoke
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags
}

resource "oci_identity_policy" "sse_c" {
  count = var.create_iam && local.sse_c_enabled ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-sse-c-secrets"
  description    = "${var.name}: read the Vault secrets that hold SSE-C keys."
  statements     = local.policy_statements.sse_c
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  depends_on = [oci_identity_dynamic_group.this]
}

resource "oci_identity_policy" "manual_kms_keys" {
  count = var.create_iam && local.manual_keys_enabled ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-manual-kms-keys"
  description    = "${var.name}: assign the keys a manual request may name (manual_kms_key_ids) to re-encrypted objects."
  statements     = local.policy_statements.manual_kms_keys
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  depends_on = [oci_identity_dynamic_group.this]
}

resource "oci_identity_policy" "self_invoke" {
  count = var.create_iam && local.self_invoke_enabled ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-self-invoke"
  description    = "${var.name}: find its own invoke endpoint (GetFunction) and invoke itself to continue a run."
  statements     = local.policy_statements.self_invoke
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  depends_on = [oci_identity_dynamic_group.this]
}

resource "oci_identity_policy" "run_state" {
  count = var.create_iam && local.state_enabled ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-run-state"
  description    = "${var.name}: keep run state, checkpoints and reports in the state bucket ${local.state_bucket_name} (and nowhere else)."
  statements     = local.policy_statements.run_state
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  depends_on = [oci_identity_dynamic_group.this]
}

resource "oci_identity_policy" "object_storage_service_lifecycle" {
  count = var.create_iam && var.create_state_bucket ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-objectstorage-service-lifecycle"
  description    = "${var.name}: let Object Storage in ${var.region} delete old run state by the state bucket's lifecycle rule."
  statements     = local.policy_statements.object_storage_service_lifecycle
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags
}

resource "oci_identity_policy" "failure_destination" {
  count = var.create_iam && local.failure_destination_enabled ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-failure-destination"
  description    = "${var.name}: publish records of its failed detached invocations to its own failures topic."
  statements     = local.policy_statements.failure_destination
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  depends_on = [oci_identity_dynamic_group.this]
}

resource "oci_identity_policy" "metrics" {
  count = var.create_iam && local.metrics_enabled ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-metrics"
  description    = "${var.name}: post custom metrics, only in its own metric namespace."
  statements     = local.policy_statements.metrics
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  depends_on = [oci_identity_dynamic_group.this]
}

resource "oci_identity_policy" "bucket_strategy" {
  count = var.create_iam && local.bucket_strategy_enabled ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${var.name}-bucket-strategy"
  description    = "${var.name}: re-encrypt whole watched buckets with ReencryptBucket and follow its work requests."
  statements     = local.policy_statements.bucket_strategy
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  depends_on = [oci_identity_dynamic_group.this]
}
