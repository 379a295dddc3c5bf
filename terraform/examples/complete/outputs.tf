output "kms_vault_id" {
  description = "OCID of the vault."
  value       = oci_kms_vault.this.id
}

output "kms_key_id" {
  description = "OCID of the auto-rotating key."
  value       = oci_kms_key.this.id
}

output "objectstorage_namespace" {
  description = "Object Storage namespace of the tenancy."
  value       = data.oci_objectstorage_namespace.this.namespace
}

output "objectstorage_bucket_names" {
  description = "Names of the versioned and the unversioned bucket."
  value = {
    versioned   = oci_objectstorage_bucket.versioned.name
    unversioned = oci_objectstorage_bucket.unversioned.name
  }
}

output "functions_function_id" {
  description = "OCID of the function."
  value       = module.reencrypt.functions_function_id
}

output "functions_function_invoke_endpoint" {
  description = "Invoke endpoint of the function."
  value       = module.reencrypt.functions_function_invoke_endpoint
}

output "identity_policy_statements" {
  description = "The policy statements the module created."
  value       = module.reencrypt.identity_policy_statements
}

output "alarm_topic_id" {
  description = "OCID of the alarm topic; null without alarm_email."
  value       = module.reencrypt.alarm_topic_id
}
