terraform {
  # 1.5: `check` blocks (used for warnings that must not fail an apply).
  required_version = ">= 1.5.0"

  required_providers {
    oci = {
      source = "oracle/oci"
      # The names in this module were checked against the provider's docs at
      # v8.28.0, including the `actions { action { ... } }` form of
      # oci_events_rule (introduced in 8.22.0; the older `actions { actions }`
      # is deprecated and conflicts with it).
      version = ">= 8.28.0, < 9.0.0"
    }
  }
}
