resource "oci_functions_application" "this" {
  compartment_id = var.compartment_id
  display_name   = var.name
  subnet_ids     = local.subnet_ids
  shape          = var.application_shape
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  lifecycle {
    precondition {
      condition     = var.create_network || length(var.subnet_ids) > 0
      error_message = "Set subnet_ids (1-3 existing subnets) or create_network = true."
    }
  }
}

resource "oci_functions_function" "this" {
  application_id     = oci_functions_application.this.id
  display_name       = var.name
  image              = var.function_image
  image_digest       = var.function_image_digest
  memory_in_mbs      = tostring(var.function_memory_in_mbs)
  timeout_in_seconds = var.function_timeout_in_seconds
  # Continuations are detached invocations: up to OCI's documented maximum of 3600 s each.
  detached_mode_timeout_in_seconds = var.function_detached_timeout_in_seconds
  config                           = local.function_config
  freeform_tags                    = var.freeform_tags
  defined_tags                     = var.defined_tags

  # A failed detached invocation (a run's continuation that died) is reported to the
  # topic the function itself subscribes to (state.tf): it resumes unfinished runs.
  dynamic "failure_destination" {
    for_each = local.failure_destination_enabled ? [1] : []
    content {
      kind     = "NOTIFICATION"
      topic_id = oci_ons_notification_topic.failures[0].topic_id
    }
  }

  lifecycle {
    precondition {
      condition     = var.reencrypt_safety_margin_seconds < var.function_timeout_in_seconds
      error_message = "reencrypt_safety_margin_seconds (${var.reencrypt_safety_margin_seconds}) must be below function_timeout_in_seconds (${var.function_timeout_in_seconds})."
    }
  }
}
