# Rules live in the compartments whose events they match (a rule also sees the
# compartment's children) and all call the one function. Conditions are built
# in locals.tf.

resource "oci_events_rule" "upload" {
  for_each = toset(var.watched_compartment_ids)

  compartment_id = each.value
  display_name   = "${var.name}-upload"
  description    = "Object uploads in the watched buckets: re-encrypt the new object under the bucket's current key version."
  is_enabled     = true
  condition      = local.upload_condition
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  actions {
    action {
      action_type = "FAAS"
      is_enabled  = true
      function_id = oci_functions_function.this.id
    }
  }
}

resource "oci_events_rule" "update_object" {
  for_each = var.reencrypt_handle_update_object ? toset(var.watched_compartment_ids) : toset([])

  compartment_id = each.value
  display_name   = "${var.name}-update-object"
  description    = "Object updates in the watched buckets (only with reencrypt_handle_update_object)."
  is_enabled     = true
  condition      = local.update_object_condition
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  actions {
    action {
      action_type = "FAAS"
      is_enabled  = true
      function_id = oci_functions_function.this.id
    }
  }
}

resource "oci_events_rule" "key_rotation" {
  for_each = toset(local.key_compartment_ids)

  compartment_id = each.value
  display_name   = "${var.name}-key-rotation"
  description    = "End of an automatic or manual rotation of a Vault key: sweep the buckets that use it."
  is_enabled     = true
  condition      = local.key_rotation_condition
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  actions {
    action {
      action_type = "FAAS"
      is_enabled  = true
      function_id = oci_functions_function.this.id
    }
  }
}

resource "oci_events_rule" "bucket_key_change" {
  for_each = var.create_bucket_key_change_rule ? toset(var.watched_compartment_ids) : toset([])

  compartment_id = each.value
  display_name   = "${var.name}-bucket-key-change"
  description    = "Bucket updates in the watched buckets: sweep the bucket when its Vault key changed."
  is_enabled     = true
  condition      = local.bucket_key_change_condition
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  actions {
    action {
      action_type = "FAAS"
      is_enabled  = true
      function_id = oci_functions_function.this.id
    }
  }
}
