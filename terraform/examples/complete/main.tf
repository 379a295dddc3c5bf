data "oci_objectstorage_namespace" "this" {
  compartment_id = var.tenancy_id
}

################################################################################
# Vault and a key that rotates itself
################################################################################

resource "oci_kms_vault" "this" {
  compartment_id = var.compartment_id
  display_name   = "${var.name}-vault"
  vault_type     = var.vault_type
}

resource "oci_kms_key" "this" {
  compartment_id      = var.compartment_id
  display_name        = "${var.name}-key"
  management_endpoint = oci_kms_vault.this.management_endpoint
  protection_mode     = "HSM"

  key_shape {
    algorithm = "AES"
    length    = 32
  }

  is_auto_rotation_enabled = true

  auto_key_rotation_details {
    rotation_interval_in_days = var.key_rotation_interval_in_days
  }
}

################################################################################
# The function, its rules and policies
################################################################################

module "reencrypt" {
  source = "../.."

  tenancy_id     = var.tenancy_id
  compartment_id = var.compartment_id
  region         = var.region
  name           = var.name

  create_network = true
  function_image = var.function_image

  watched_compartment_ids = [var.compartment_id]
  watched_bucket_names    = [local.versioned_bucket_name, local.unversioned_bucket_name]
  watched_key_ids         = [oci_kms_key.this.id]
  watched_vault_ids       = [oci_kms_vault.this.id]

  # Metrics are on by default; alarms when an address is given.
  create_alarms = var.alarm_email != ""
  alarm_email   = var.alarm_email
}

################################################################################
# Two buckets encrypted with the key, emitting object events
################################################################################

locals {
  versioned_bucket_name   = "${var.name}-versioned"
  unversioned_bucket_name = "${var.name}-unversioned"
}

resource "oci_objectstorage_bucket" "versioned" {
  compartment_id        = var.compartment_id
  namespace             = data.oci_objectstorage_namespace.this.namespace
  name                  = local.versioned_bucket_name
  access_type           = "NoPublicAccess"
  kms_key_id            = oci_kms_key.this.id
  object_events_enabled = true
  versioning            = "Enabled"

  # Object Storage may use the key only once the module's service policy exists.
  depends_on = [module.reencrypt]
}

resource "oci_objectstorage_bucket" "unversioned" {
  compartment_id        = var.compartment_id
  namespace             = data.oci_objectstorage_namespace.this.namespace
  name                  = local.unversioned_bucket_name
  access_type           = "NoPublicAccess"
  kms_key_id            = oci_kms_key.this.id
  object_events_enabled = true
  versioning            = "Disabled"

  depends_on = [module.reencrypt]
}
