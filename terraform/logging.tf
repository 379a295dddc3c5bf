# Function invocation logs (Logging service "functions", category "invoke",
# on the application). The function's own stdout/stderr lands here too.

resource "oci_logging_log_group" "this" {
  count = var.create_invoke_log ? 1 : 0

  compartment_id = var.compartment_id
  display_name   = "${var.name}-logs"
  description    = "Logs of the ${var.name} function."
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags
}

resource "oci_logging_log" "invoke" {
  count = var.create_invoke_log ? 1 : 0

  display_name       = "${var.name}-invoke"
  log_group_id       = oci_logging_log_group.this[0].id
  log_type           = "SERVICE"
  is_enabled         = true
  retention_duration = var.log_retention_duration
  freeform_tags      = var.freeform_tags
  defined_tags       = var.defined_tags

  configuration {
    compartment_id = var.compartment_id

    source {
      category    = "invoke"
      resource    = oci_functions_application.this.id
      service     = "functions"
      source_type = "OCISERVICE"
    }
  }
}
