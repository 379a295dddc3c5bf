################################################################################
# Placement
################################################################################

variable "tenancy_id" {
  description = "OCID of the tenancy (ocid1.tenancy...). The dynamic group is created here, and by default the policies too."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.tenancy\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", var.tenancy_id))
    error_message = "tenancy_id must be a tenancy OCID (ocid1.tenancy.<realm>..<id>)."
  }
}

variable "compartment_id" {
  description = "OCID of the compartment (ocid1.compartment... or the tenancy) that holds the application, the function, its log and, when create_network is true, the network."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", var.compartment_id))
    error_message = "compartment_id must be a compartment or tenancy OCID."
  }
}

variable "region" {
  description = "Region identifier the function runs in, e.g. us-ashburn-1. Names the Object Storage service principal (objectstorage-<region>) in the key policy."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2,}-[a-z]+-[0-9]+$", var.region))
    error_message = "region must be a region identifier such as us-ashburn-1 (not a region key such as IAD)."
  }
}

variable "name" {
  description = "Name prefix for every resource (application, function, dynamic group, policies, rules, log): 1-40 characters, letters, digits, '-' or '_', starting with a letter."
  type        = string
  default     = "oci-reencrypt"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,39}$", var.name))
    error_message = "name must be 1-40 characters of letters, digits, '-' or '_', starting with a letter."
  }
}

variable "freeform_tags" {
  description = "Free-form tags applied to every resource that supports them. Empty map: none."
  type        = map(string)
  default     = {}
}

variable "defined_tags" {
  description = "Defined tags (\"Namespace.Key\" = \"value\") applied to every resource that supports them. Empty map: none."
  type        = map(string)
  default     = {}
}

################################################################################
# Network
################################################################################

variable "create_network" {
  description = "true: create a minimal private network (VCN, private subnet, service gateway to the Oracle Services Network, route table, security list allowing HTTPS to OCI services only). false: use subnet_ids."
  type        = bool
  default     = false
}

variable "subnet_ids" {
  description = "OCIDs of existing subnets (1-3, ocid1.subnet...) for the application when create_network is false. They need a route to OCI services (service gateway or NAT) and egress on TCP 443."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.subnet_ids) <= 3 && alltrue([for s in var.subnet_ids : can(regex("^ocid1\\.subnet\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", s))])
    error_message = "subnet_ids must hold at most 3 subnet OCIDs (ocid1.subnet...)."
  }
}

variable "vcn_cidr_block" {
  description = "IPv4 CIDR of the VCN created when create_network is true, e.g. 10.0.0.0/16 (a /16 to /30 block)."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vcn_cidr_block)) && tonumber(split("/", var.vcn_cidr_block)[1]) >= 16 && tonumber(split("/", var.vcn_cidr_block)[1]) <= 30
    error_message = "vcn_cidr_block must be an IPv4 CIDR between /16 and /30."
  }
}

variable "subnet_cidr_block" {
  description = "IPv4 CIDR of the private subnet created when create_network is true; must lie inside vcn_cidr_block (a /16 to /30 block)."
  type        = string
  default     = "10.0.0.0/24"

  validation {
    condition     = can(cidrnetmask(var.subnet_cidr_block)) && tonumber(split("/", var.subnet_cidr_block)[1]) >= 16 && tonumber(split("/", var.subnet_cidr_block)[1]) <= 30
    error_message = "subnet_cidr_block must be an IPv4 CIDR between /16 and /30."
  }
}

################################################################################
# Function
################################################################################

variable "application_shape" {
  description = "Processor architecture of the application: GENERIC_X86, GENERIC_ARM or GENERIC_X86_ARM. It must match the image (fn build builds for the machine it runs on unless told otherwise)."
  type        = string
  default     = "GENERIC_X86"

  validation {
    condition     = contains(["GENERIC_X86", "GENERIC_ARM", "GENERIC_X86_ARM"], var.application_shape)
    error_message = "application_shape must be GENERIC_X86, GENERIC_ARM or GENERIC_X86_ARM."
  }
}

variable "function_image" {
  description = "Container image of the function in OCI Registry, <region-key>.ocir.io/<namespace>/<repo>:<tag> (built with `fn build` and pushed with `docker push` before apply)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]+\\.ocir\\.io/[a-z0-9_-]+/[a-z0-9._/-]+:[A-Za-z0-9._-]+$", var.function_image))
    error_message = "function_image must be an OCI Registry image with a tag: <region-key>.ocir.io/<namespace>/<repo>:<tag>."
  }
}

variable "function_image_digest" {
  description = "Optional sha256 digest of function_image (sha256:<64 hex>) to pin the exact image. null: the tag alone."
  type        = string
  default     = null

  validation {
    condition     = var.function_image_digest == null || can(regex("^sha256:[a-f0-9]{64}$", var.function_image_digest))
    error_message = "function_image_digest must be null or sha256:<64 lowercase hex digits>."
  }
}

variable "function_memory_in_mbs" {
  description = "Memory of the function in MB, 128 to 3072 (512 matches func.yaml: a sweep peaks near 240 MB at concurrency 64, see bench/README.md)."
  type        = number
  default     = 512

  validation {
    condition     = var.function_memory_in_mbs >= 128 && var.function_memory_in_mbs <= 3072 && floor(var.function_memory_in_mbs) == var.function_memory_in_mbs
    error_message = "function_memory_in_mbs must be a whole number from 128 to 3072."
  }
}

variable "function_timeout_in_seconds" {
  description = "Timeout of one invocation in seconds, 5 to 300 (the platform maximum). Sweeps stop REENCRYPT_SAFETY_MARGIN_SECONDS before it and return a continuation."
  type        = number
  default     = 300

  validation {
    condition     = var.function_timeout_in_seconds >= 5 && var.function_timeout_in_seconds <= 300 && floor(var.function_timeout_in_seconds) == var.function_timeout_in_seconds
    error_message = "function_timeout_in_seconds must be a whole number from 5 to 300."
  }
}

################################################################################
# What the function watches
################################################################################

variable "watched_compartment_ids" {
  description = "OCIDs (1-20) of the compartments holding the watched buckets. Upload and bucket rules are created in each; the function may read and re-encrypt objects there (and in their children). List only top-level ones: a rule in a parent also sees its children's events."
  type        = list(string)

  validation {
    condition     = length(var.watched_compartment_ids) >= 1 && length(var.watched_compartment_ids) <= 20 && alltrue([for c in var.watched_compartment_ids : can(regex("^ocid1\\.(compartment|tenancy)\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", c))])
    error_message = "watched_compartment_ids must hold 1 to 20 compartment or tenancy OCIDs."
  }
}

variable "watched_bucket_names" {
  description = "Names (0-50) of the buckets to watch. Empty: every bucket in watched_compartment_ids. When set, upload/bucket rules and the Object Storage policy are limited to these names (OCI matches bucket names case-insensitively)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.watched_bucket_names) <= 50 && alltrue([for b in var.watched_bucket_names : can(regex("^[A-Za-z0-9._-]{1,256}$", b))])
    error_message = "watched_bucket_names must hold at most 50 bucket names of letters, digits, '.', '_' or '-'."
  }
}

variable "watched_key_ids" {
  description = "OCIDs (1-20, ocid1.key...) of the Vault keys whose rotation triggers a sweep. The function may read them, and Object Storage may use them."
  type        = list(string)

  validation {
    condition     = length(var.watched_key_ids) >= 1 && length(var.watched_key_ids) <= 20 && alltrue([for k in var.watched_key_ids : can(regex("^ocid1\\.key\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", k))])
    error_message = "watched_key_ids must hold 1 to 20 key OCIDs (ocid1.key...)."
  }
}

variable "watched_vault_ids" {
  description = "OCIDs (0-20, ocid1.vault...) of the vaults holding watched_key_ids. When set, `read vaults` is limited to them and they become REENCRYPT_VAULT_IDS unless reencrypt_vault_ids is set. Empty: read any vault in key_compartment_ids."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.watched_vault_ids) <= 20 && alltrue([for v in var.watched_vault_ids : can(regex("^ocid1\\.vault\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", v))])
    error_message = "watched_vault_ids must hold at most 20 vault OCIDs (ocid1.vault...)."
  }
}

variable "key_compartment_ids" {
  description = "OCIDs (0-20) of the compartments holding watched_key_ids. Key rotation rules are created in each. Empty: watched_compartment_ids."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.key_compartment_ids) <= 20 && alltrue([for c in var.key_compartment_ids : can(regex("^ocid1\\.(compartment|tenancy)\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", c))])
    error_message = "key_compartment_ids must hold at most 20 compartment or tenancy OCIDs."
  }
}

################################################################################
# Events
################################################################################

variable "create_bucket_key_change_rule" {
  description = "true: also route com.oraclecloud.objectstorage.updatebucket from the watched buckets, so a bucket whose key is changed is swept. false: no bucket rule."
  type        = bool
  default     = true
}

variable "filter_key_events_by_resource_id" {
  description = "true: key rotation rules match only events whose data.resourceId is one of watched_key_ids. UNVERIFIED that key events carry the key OCID there (it may be the key version OCID, and then no event matches): leave false until you have seen a real event."
  type        = bool
  default     = false
}

################################################################################
# IAM
################################################################################

variable "create_iam" {
  description = "true: create the dynamic group and the policies. false: create none (an administrator applies the statements from the identity_policy_statements output)."
  type        = bool
  default     = true
}

variable "policy_compartment_id" {
  description = "OCID of the compartment the policies are attached to; it must contain every compartment they name. null: the tenancy (tenancy_id)."
  type        = string
  default     = null

  validation {
    condition     = var.policy_compartment_id == null || can(regex("^ocid1\\.(compartment|tenancy)\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", var.policy_compartment_id))
    error_message = "policy_compartment_id must be null or a compartment or tenancy OCID."
  }
}

variable "manual_kms_key_ids" {
  description = "OCIDs (0-20, ocid1.key...) of the Vault keys a manual request may name as kmsKeyId besides a bucket's own key. The one list feeds both REENCRYPT_ALLOWED_KMS_KEY_IDS and the key-delegate policy (use key-delegate on exactly these keys, in key_compartment_ids); Object Storage may use them. Empty: a manual request may name only a bucket's own key, and no key-delegate policy is created."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.manual_kms_key_ids) <= 20 && alltrue([for k in var.manual_kms_key_ids : can(regex("^ocid1\\.key\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", k))])
    error_message = "manual_kms_key_ids must hold at most 20 key OCIDs (ocid1.key...)."
  }
}

variable "sse_c_secret_ids" {
  description = "OCIDs (0-20, ocid1.vaultsecret...) of the Vault secrets that hold SSE-C keys a manual request may name (sseCustomerKeySecretId, sourceSseCustomerKeySecretId). The one list feeds both REENCRYPT_ALLOWED_SSE_C_SECRET_IDS and the SSE-C policy (read secret-bundles of exactly these secrets). Empty: no secret may be named, and no secret access."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.sse_c_secret_ids) <= 20 && alltrue([for s in var.sse_c_secret_ids : can(regex("^ocid1\\.vaultsecret\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", s))])
    error_message = "sse_c_secret_ids must hold at most 20 secret OCIDs (ocid1.vaultsecret...)."
  }
}

variable "sse_c_secret_compartment_ids" {
  description = "OCIDs (0-20) of the compartments holding sse_c_secret_ids. Empty: compartment_id."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.sse_c_secret_compartment_ids) <= 20 && alltrue([for c in var.sse_c_secret_compartment_ids : can(regex("^ocid1\\.(compartment|tenancy)\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", c))])
    error_message = "sse_c_secret_compartment_ids must hold at most 20 compartment or tenancy OCIDs."
  }
}

################################################################################
# Logging
################################################################################

variable "create_invoke_log" {
  description = "true: create a log group and a service log of the application's function invocations (Functions category `invoke`, which also holds the function's stdout/stderr)."
  type        = bool
  default     = true
}

variable "log_retention_duration" {
  description = "Days the invocation log is kept: 30, 60, 90, 120, 150 or 180."
  type        = number
  default     = 30

  validation {
    condition     = contains([30, 60, 90, 120, 150, 180], var.log_retention_duration)
    error_message = "log_retention_duration must be 30, 60, 90, 120, 150 or 180."
  }
}

################################################################################
# Function configuration: one variable per key of src/config/schema.ts
# (CONFIG_SCHEMA), same name in lower case, same default. The tests compare.
################################################################################

variable "reencrypt_compartment_ids" {
  description = "REENCRYPT_COMPARTMENT_IDS: comma-separated compartment OCIDs whose buckets a key rotation sweeps. Empty: the module passes watched_compartment_ids (the function only has rights there)."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_compartment_ids == "" || can(regex("^(ocid1\\.[a-z0-9_-]+\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+)(\\s*,\\s*ocid1\\.[a-z0-9_-]+\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+)*$", var.reencrypt_compartment_ids))
    error_message = "reencrypt_compartment_ids must be empty or a comma-separated list of OCIDs."
  }
}

variable "reencrypt_namespace" {
  description = "REENCRYPT_NAMESPACE: Object Storage namespace, lower-case letters, digits and '-', at most 64 characters. Empty: looked up with GetNamespace."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-z0-9-]{0,64}$", var.reencrypt_namespace))
    error_message = "reencrypt_namespace must be at most 64 lower-case letters, digits or '-'."
  }
}

variable "reencrypt_vault_ids" {
  description = "REENCRYPT_VAULT_IDS: comma-separated vault OCIDs to look keys up in when an event names no vault. Empty: the module passes watched_vault_ids (may be empty too)."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_vault_ids == "" || can(regex("^(ocid1\\.[a-z0-9_-]+\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+)(\\s*,\\s*ocid1\\.[a-z0-9_-]+\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+)*$", var.reencrypt_vault_ids))
    error_message = "reencrypt_vault_ids must be empty or a comma-separated list of OCIDs."
  }
}

variable "reencrypt_concurrency" {
  description = "REENCRYPT_CONCURRENCY: re-encryptions in flight at once, 1 to 256."
  type        = number
  default     = 16

  validation {
    condition     = var.reencrypt_concurrency >= 1 && var.reencrypt_concurrency <= 256 && floor(var.reencrypt_concurrency) == var.reencrypt_concurrency
    error_message = "reencrypt_concurrency must be a whole number from 1 to 256."
  }
}

variable "reencrypt_safety_margin_seconds" {
  description = "REENCRYPT_SAFETY_MARGIN_SECONDS: stop starting work this long before the deadline, 1 to 120; keep it below function_timeout_in_seconds."
  type        = number
  default     = 20

  validation {
    condition     = var.reencrypt_safety_margin_seconds >= 1 && var.reencrypt_safety_margin_seconds <= 120 && floor(var.reencrypt_safety_margin_seconds) == var.reencrypt_safety_margin_seconds
    error_message = "reencrypt_safety_margin_seconds must be a whole number from 1 to 120."
  }
}

variable "reencrypt_clock_skew_seconds" {
  description = "REENCRYPT_CLOCK_SKEW_SECONDS: objects written up to this long after a rotation are re-encrypted too, 0 to 3600."
  type        = number
  default     = 120

  validation {
    condition     = var.reencrypt_clock_skew_seconds >= 0 && var.reencrypt_clock_skew_seconds <= 3600 && floor(var.reencrypt_clock_skew_seconds) == var.reencrypt_clock_skew_seconds
    error_message = "reencrypt_clock_skew_seconds must be a whole number from 0 to 3600."
  }
}

variable "reencrypt_max_attempts" {
  description = "REENCRYPT_MAX_ATTEMPTS: attempts per OCI call, first try included, 1 to 10."
  type        = number
  default     = 4

  validation {
    condition     = var.reencrypt_max_attempts >= 1 && var.reencrypt_max_attempts <= 10 && floor(var.reencrypt_max_attempts) == var.reencrypt_max_attempts
    error_message = "reencrypt_max_attempts must be a whole number from 1 to 10."
  }
}

variable "reencrypt_handle_update_object" {
  description = "REENCRYPT_HANDLE_UPDATE_OBJECT: also act on updateobject events; true also creates an updateobject rule. Off by default: re-encryption itself may emit them."
  type        = bool
  default     = false
}

variable "reencrypt_self_invoke" {
  description = "REENCRYPT_SELF_INVOKE: continue a run that cannot finish in one invocation in a detached invocation of the function itself (it finds its invoke endpoint with GetFunction). true also creates the self-invoke policy (read fn-function, use fn-invocation)."
  type        = bool
  default     = true
}

variable "reencrypt_max_failures_reported" {
  description = "REENCRYPT_MAX_FAILURES_REPORTED: failed objects listed per bucket in a report, 0 to 10000."
  type        = number
  default     = 100

  validation {
    condition     = var.reencrypt_max_failures_reported >= 0 && var.reencrypt_max_failures_reported <= 10000 && floor(var.reencrypt_max_failures_reported) == var.reencrypt_max_failures_reported
    error_message = "reencrypt_max_failures_reported must be a whole number from 0 to 10000."
  }
}

variable "reencrypt_log_level" {
  description = "REENCRYPT_LOG_LEVEL: debug, info, warn or error."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.reencrypt_log_level)
    error_message = "reencrypt_log_level must be debug, info, warn or error."
  }
}

variable "reencrypt_auth" {
  description = "REENCRYPT_AUTH: resource_principal, the only value that works inside OCI Functions (config_file is for local runs and is refused here)."
  type        = string
  default     = "resource_principal"

  validation {
    condition     = var.reencrypt_auth == "resource_principal"
    error_message = "reencrypt_auth must be resource_principal in OCI Functions; config_file is for local runs only."
  }
}

variable "reencrypt_oci_config_file" {
  description = "REENCRYPT_OCI_CONFIG_FILE: OCI config file for REENCRYPT_AUTH=config_file (local runs only). Empty: ~/.oci/config."
  type        = string
  default     = ""
}

variable "reencrypt_oci_config_profile" {
  description = "REENCRYPT_OCI_CONFIG_PROFILE: profile in the OCI config file, letters, digits, '_', '.' or '-' (local runs only)."
  type        = string
  default     = "DEFAULT"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.reencrypt_oci_config_profile))
    error_message = "reencrypt_oci_config_profile must be letters, digits, '_', '.' or '-'."
  }
}

variable "reencrypt_objectstorage_endpoint" {
  description = "REENCRYPT_OBJECTSTORAGE_ENDPOINT: Object Storage endpoint override (http(s) URL, e.g. a private endpoint). Empty: the region's."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_objectstorage_endpoint == "" || can(regex("^https?://[^\\s/$.?#][^\\s]*$", var.reencrypt_objectstorage_endpoint))
    error_message = "reencrypt_objectstorage_endpoint must be empty or an http(s) URL."
  }
}

variable "reencrypt_kms_vault_endpoint" {
  description = "REENCRYPT_KMS_VAULT_ENDPOINT: Vault (KmsVault) endpoint override (http(s) URL). Empty: the region's."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_kms_vault_endpoint == "" || can(regex("^https?://[^\\s/$.?#][^\\s]*$", var.reencrypt_kms_vault_endpoint))
    error_message = "reencrypt_kms_vault_endpoint must be empty or an http(s) URL."
  }
}

variable "reencrypt_kms_management_endpoint" {
  description = "REENCRYPT_KMS_MANAGEMENT_ENDPOINT: key management endpoint override (http(s) URL). Empty: the vault's managementEndpoint from GetVault."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_kms_management_endpoint == "" || can(regex("^https?://[^\\s/$.?#][^\\s]*$", var.reencrypt_kms_management_endpoint))
    error_message = "reencrypt_kms_management_endpoint must be empty or an http(s) URL."
  }
}

variable "reencrypt_secrets_endpoint" {
  description = "REENCRYPT_SECRETS_ENDPOINT: Secrets (secret bundles) endpoint override (http(s) URL). Empty: the region's."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_secrets_endpoint == "" || can(regex("^https?://[^\\s/$.?#][^\\s]*$", var.reencrypt_secrets_endpoint))
    error_message = "reencrypt_secrets_endpoint must be empty or an http(s) URL."
  }
}

variable "reencrypt_functions_invoke_endpoint" {
  description = "REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT: override of the function's invoke endpoint (http(s) URL). Empty (the default): the function reads it once per container with GetFunction."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_functions_invoke_endpoint == "" || can(regex("^https?://[^\\s/$.?#][^\\s]*$", var.reencrypt_functions_invoke_endpoint))
    error_message = "reencrypt_functions_invoke_endpoint must be empty or an http(s) URL."
  }
}

variable "reencrypt_functions_endpoint" {
  description = "REENCRYPT_FUNCTIONS_ENDPOINT: Functions management endpoint override for GetFunction (http(s) URL). Empty: the region's."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_functions_endpoint == "" || can(regex("^https?://[^\\s/$.?#][^\\s]*$", var.reencrypt_functions_endpoint))
    error_message = "reencrypt_functions_endpoint must be empty or an http(s) URL."
  }
}

variable "reencrypt_state_bucket" {
  description = "REENCRYPT_STATE_BUCKET: an existing bucket for run state instead of the one the module creates (letters, digits, '.', '_', '-'). Empty: the module's state bucket (<name>-state) when create_state_bucket is true, else no durable runs."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{0,256}$", var.reencrypt_state_bucket))
    error_message = "reencrypt_state_bucket must be empty or a bucket name of letters, digits, '.', '_' or '-'."
  }
}

variable "reencrypt_checkpoint_seconds" {
  description = "REENCRYPT_CHECKPOINT_SECONDS: how often a run's worker saves its cursor and counts, 1 to 300 seconds (its hold on a unit lasts three times as long)."
  type        = number
  default     = 10

  validation {
    condition     = var.reencrypt_checkpoint_seconds >= 1 && var.reencrypt_checkpoint_seconds <= 300 && floor(var.reencrypt_checkpoint_seconds) == var.reencrypt_checkpoint_seconds
    error_message = "reencrypt_checkpoint_seconds must be a whole number from 1 to 300."
  }
}

variable "reencrypt_no_progress_limit" {
  description = "REENCRYPT_NO_PROGRESS_LIMIT: consecutive invocations without progress after which a unit stops with reason no-progress, 1 to 100."
  type        = number
  default     = 5

  validation {
    condition     = var.reencrypt_no_progress_limit >= 1 && var.reencrypt_no_progress_limit <= 100 && floor(var.reencrypt_no_progress_limit) == var.reencrypt_no_progress_limit
    error_message = "reencrypt_no_progress_limit must be a whole number from 1 to 100."
  }
}

variable "reencrypt_max_invocations" {
  description = "REENCRYPT_MAX_INVOCATIONS: invocations after which a run stops with reason max-invocations, 1 to 100000."
  type        = number
  default     = 1000

  validation {
    condition     = var.reencrypt_max_invocations >= 1 && var.reencrypt_max_invocations <= 100000 && floor(var.reencrypt_max_invocations) == var.reencrypt_max_invocations
    error_message = "reencrypt_max_invocations must be a whole number from 1 to 100000."
  }
}

variable "reencrypt_max_workers" {
  description = "REENCRYPT_MAX_WORKERS: detached invocations working on one run at once (fan-out over its buckets), 1 to 64; size it against the regional Functions concurrency quota."
  type        = number
  default     = 8

  validation {
    condition     = var.reencrypt_max_workers >= 1 && var.reencrypt_max_workers <= 64 && floor(var.reencrypt_max_workers) == var.reencrypt_max_workers
    error_message = "reencrypt_max_workers must be a whole number from 1 to 64."
  }
}

variable "reencrypt_range_size" {
  description = "REENCRYPT_RANGE_SIZE: in a run that fans out, a bucket with more versions than this is split into name ranges of about this many versions, each a unit any worker can take; 1 to 100000000."
  type        = number
  default     = 50000

  validation {
    condition     = var.reencrypt_range_size >= 1 && var.reencrypt_range_size <= 100000000 && floor(var.reencrypt_range_size) == var.reencrypt_range_size
    error_message = "reencrypt_range_size must be a whole number from 1 to 100000000."
  }
}

variable "reencrypt_strategy" {
  description = "REENCRYPT_STRATEGY: how a sweep re-encrypts a bucket when the request names no strategy: objects (ReencryptObject per version), bucket (one ReencryptBucket work request per bucket; needs a state bucket) or auto (bucket for whole-bucket rotation sweeps of big buckets). bucket and auto also create the bucket-strategy policy (use buckets, read objects on the watched buckets)."
  type        = string
  default     = "objects"

  validation {
    condition     = contains(["objects", "bucket", "auto"], var.reencrypt_strategy)
    error_message = "reencrypt_strategy must be objects, bucket or auto."
  }
}

variable "reencrypt_bucket_strategy_min_objects" {
  description = "REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS: with strategy auto, the smallest bucket (approximate object count) that gets one ReencryptBucket, 1 to 1000000000000."
  type        = number
  default     = 100000

  validation {
    condition     = var.reencrypt_bucket_strategy_min_objects >= 1 && var.reencrypt_bucket_strategy_min_objects <= 1000000000000 && floor(var.reencrypt_bucket_strategy_min_objects) == var.reencrypt_bucket_strategy_min_objects
    error_message = "reencrypt_bucket_strategy_min_objects must be a whole number from 1 to 1000000000000."
  }
}

variable "allow_bucket_strategy_requests" {
  description = "true: create the bucket-strategy policy (use buckets, read objects on the watched buckets) even when reencrypt_strategy is objects, so that manual requests may ask for strategy bucket or auto. false: only when reencrypt_strategy is bucket or auto."
  type        = bool
  default     = false
}

variable "create_state_bucket" {
  description = "true: create the private state bucket <name>-state (no public access, versioning off, lifecycle rule) for durable runs, and the policy that lets the function manage objects in it only. false: no bucket (set reencrypt_state_bucket to use one of yours, or runs are not durable)."
  type        = bool
  default     = true
}

variable "create_failure_destination" {
  description = "true (with a state bucket): a Notifications topic <name>-failures as the function's failure destination, with the function subscribed (protocol ORACLE_FUNCTIONS), so a continuation that dies resumes its run without an operator. false: an operator resumes with {\"resume\": \"<runId>\"}."
  type        = bool
  default     = true
}

variable "state_bucket_kms_key_id" {
  description = "OCID of a Vault key to encrypt the state bucket with. Empty: an Oracle-managed key."
  type        = string
  default     = ""

  validation {
    condition     = var.state_bucket_kms_key_id == "" || can(regex("^ocid1\\.key\\.", var.state_bucket_kms_key_id))
    error_message = "state_bucket_kms_key_id must be empty or a key OCID (ocid1.key...)."
  }
}

variable "run_state_retention_days" {
  description = "Days after which the state bucket's lifecycle rule deletes a run's state and report, 1 to 3650. Keep it longer than any run lasts."
  type        = number
  default     = 30

  validation {
    condition     = var.run_state_retention_days >= 1 && var.run_state_retention_days <= 3650 && floor(var.run_state_retention_days) == var.run_state_retention_days
    error_message = "run_state_retention_days must be a whole number from 1 to 3650."
  }
}

variable "function_detached_timeout_in_seconds" {
  description = "detached_mode_timeout_in_seconds of the function: how long a detached invocation (a run's continuation) may run, 5 to 3600 seconds (OCI's limits)."
  type        = number
  default     = 3600

  validation {
    condition     = var.function_detached_timeout_in_seconds >= 5 && var.function_detached_timeout_in_seconds <= 3600 && floor(var.function_detached_timeout_in_seconds) == var.function_detached_timeout_in_seconds
    error_message = "function_detached_timeout_in_seconds must be a whole number from 5 to 3600."
  }
}

variable "reencrypt_metrics_namespace" {
  description = "REENCRYPT_METRICS_NAMESPACE: OCI Monitoring namespace of the custom metrics posted after each run (a letter, then letters, digits or '_'; not oci_ or oracle_). Empty: \"reencrypt\" when enable_metrics is true; metrics are off when enable_metrics is false."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_metrics_namespace == "" || (can(regex("^[A-Za-z][A-Za-z0-9_]{0,254}$", var.reencrypt_metrics_namespace)) && !startswith(var.reencrypt_metrics_namespace, "oci_") && !startswith(var.reencrypt_metrics_namespace, "oracle_"))
    error_message = "reencrypt_metrics_namespace must be empty or a letter followed by letters, digits or '_' (at most 255), not starting with oci_ or oracle_."
  }
}

variable "reencrypt_metrics_compartment_id" {
  description = "REENCRYPT_METRICS_COMPARTMENT_ID: compartment OCID the metrics are posted in (and the alarms read). Empty: compartment_id (the function's)."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_metrics_compartment_id == "" || can(regex("^ocid1\\.(compartment|tenancy)\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", var.reencrypt_metrics_compartment_id))
    error_message = "reencrypt_metrics_compartment_id must be empty or a compartment or tenancy OCID."
  }
}

variable "reencrypt_monitoring_endpoint" {
  description = "REENCRYPT_MONITORING_ENDPOINT: Monitoring telemetry-ingestion endpoint override for PostMetricData (http(s) URL). Empty: the region's telemetry-ingestion endpoint."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_monitoring_endpoint == "" || can(regex("^https?://[^\\s/$.?#][^\\s]*$", var.reencrypt_monitoring_endpoint))
    error_message = "reencrypt_monitoring_endpoint must be empty or an http(s) URL."
  }
}

variable "reencrypt_resume_topic_id" {
  description = "REENCRYPT_RESUME_TOPIC_ID: Notifications topic OCID the function publishes {\"resume\": \"<runId>\"} to when Functions refuses the successor of a run's first invocation; the function must be subscribed to it (ORACLE_FUNCTIONS) and the topic must be in the function's compartment, where the failure-destination policy (create_failure_destination) grants publishing; without it, grant `use ons-topics` yourself. Empty: the <name>-failures topic (with create_failure_destination), else none."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_resume_topic_id == "" || can(regex("^ocid1\\.onstopic\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+$", var.reencrypt_resume_topic_id))
    error_message = "reencrypt_resume_topic_id must be empty or a Notifications topic OCID (ocid1.onstopic...)."
  }
}

variable "reencrypt_notifications_endpoint" {
  description = "REENCRYPT_NOTIFICATIONS_ENDPOINT: the resume topic's API endpoint (its api_endpoint attribute; PublishMessage goes there), http(s) URL. Empty: the <name>-failures topic's. Required with reencrypt_resume_topic_id."
  type        = string
  default     = ""

  validation {
    condition     = var.reencrypt_notifications_endpoint == "" || can(regex("^https?://[^\\s/$.?#][^\\s]*$", var.reencrypt_notifications_endpoint))
    error_message = "reencrypt_notifications_endpoint must be empty or an http(s) URL."
  }
}

################################################################################
# Metrics and alarms
################################################################################

variable "enable_metrics" {
  description = "true: the function posts custom metrics to OCI Monitoring after each run (versions re-encrypted, failed, skipped by reason, run duration, unfinished runs), and the policy lets it (`use metrics` limited to the namespace)."
  type        = bool
  default     = true
}

variable "create_alarms" {
  description = "true (needs enable_metrics): create a Notifications topic and two alarms on it: any failed re-encryption, and a run still unfinished after alarm_unfinished_after_hours."
  type        = bool
  default     = false
}

variable "alarm_email" {
  description = "Email address subscribed to the alarm topic (the address must confirm the subscription). Empty: no subscription; subscribe to the alarm_topic_id output yourself."
  type        = string
  default     = ""

  validation {
    condition     = var.alarm_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be empty or an email address."
  }
}

variable "alarm_unfinished_after_hours" {
  description = "Hours after which a run that is still unfinished (still handing itself continuations) raises the unfinished-run alarm: 1 to 720."
  type        = number
  default     = 6

  validation {
    condition     = var.alarm_unfinished_after_hours >= 1 && var.alarm_unfinished_after_hours <= 720 && floor(var.alarm_unfinished_after_hours) == var.alarm_unfinished_after_hours
    error_message = "alarm_unfinished_after_hours must be a whole number of hours from 1 to 720."
  }
}
