variable "tenancy_id" {
  description = "OCID of the tenancy (ocid1.tenancy...)."
  type        = string
}

variable "compartment_id" {
  description = "OCID of the compartment for everything the example creates (vault, key, buckets, function, rules)."
  type        = string
}

variable "region" {
  description = "Region identifier, e.g. us-ashburn-1."
  type        = string
}

variable "function_image" {
  description = "The function image pushed to OCI Registry, <region-key>.ocir.io/<namespace>/<repo>:<tag>."
  type        = string
}

variable "name" {
  description = "Name prefix for the example's resources, 1-30 letters, digits or '-'; bucket names are derived from it."
  type        = string
  default     = "reencrypt-demo"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,29}$", var.name))
    error_message = "name must be 1-30 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "vault_type" {
  description = "DEFAULT (shared partition, no monthly charge) or VIRTUAL_PRIVATE (dedicated partition, billed). Use VIRTUAL_PRIVATE if your tenancy refuses automatic rotation on a DEFAULT vault."
  type        = string
  default     = "DEFAULT"

  validation {
    condition     = contains(["DEFAULT", "VIRTUAL_PRIVATE"], var.vault_type)
    error_message = "vault_type must be DEFAULT or VIRTUAL_PRIVATE."
  }
}

variable "key_rotation_interval_in_days" {
  description = "Days between automatic rotations of the key, 60 to 365."
  type        = number
  default     = 90

  validation {
    condition     = var.key_rotation_interval_in_days >= 60 && var.key_rotation_interval_in_days <= 365
    error_message = "key_rotation_interval_in_days must be from 60 to 365."
  }
}

variable "alarm_email" {
  description = "Email address for the module's alarms (a failed re-encryption, a run unfinished after 6 hours). Empty: no alarms."
  type        = string
  default     = ""

  validation {
    condition     = var.alarm_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be empty or an email address."
  }
}
