# Durable runs (REENCRYPT_STATE_BUCKET): run state, checkpoints and final
# reports live in one private bucket the function owns. Old runs are removed
# by a lifecycle rule (run_state_retention_days).

data "oci_objectstorage_namespace" "this" {
  compartment_id = var.tenancy_id
}

resource "oci_objectstorage_bucket" "state" {
  count = var.create_state_bucket ? 1 : 0

  compartment_id = var.compartment_id
  namespace      = data.oci_objectstorage_namespace.this.namespace
  name           = local.state_bucket_name
  access_type    = "NoPublicAccess"
  versioning     = "Disabled"
  storage_tier   = "Standard"
  kms_key_id     = var.state_bucket_kms_key_id != "" ? var.state_bucket_kms_key_id : null
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags
}

resource "oci_objectstorage_object_lifecycle_policy" "state" {
  count = var.create_state_bucket ? 1 : 0

  namespace = data.oci_objectstorage_namespace.this.namespace
  bucket    = oci_objectstorage_bucket.state[0].name

  rules {
    name        = "${var.name}-expire-run-state"
    action      = "DELETE"
    is_enabled  = true
    time_amount = var.run_state_retention_days
    time_unit   = "DAYS"
  }

  # Object Storage applies lifecycle rules as the service, which needs its own grant.
  depends_on = [oci_identity_policy.object_storage_service_lifecycle]
}

# What resumes a run whose worker died (SIGKILL, out of memory, a platform
# failure): the function's failure destination. OCI sends a record of a failed
# detached invocation to this topic; the function is subscribed to it, and on
# such a record it continues every unfinished run in a fresh detached
# invocation, which takes over the dead worker's units once their holds expire.
# A worker whose successor Functions refused (429) fails on purpose to land
# here too; while Functions stays full the resume fails and Notifications
# retries the delivery with backoff (its default policy: up to 2 hours).

resource "oci_ons_notification_topic" "failures" {
  count = local.failure_destination_enabled ? 1 : 0

  compartment_id = var.compartment_id
  name           = "${var.name}-failures"
  description    = "${var.name}: records of failed detached invocations; the function resumes its unfinished runs on each."
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags
}

resource "oci_ons_subscription" "failures" {
  count = local.failure_destination_enabled ? 1 : 0

  compartment_id = var.compartment_id
  topic_id       = oci_ons_notification_topic.failures[0].topic_id
  protocol       = "ORACLE_FUNCTIONS"
  endpoint       = oci_functions_function.this.id
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags
}
