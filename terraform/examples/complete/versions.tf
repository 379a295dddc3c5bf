terraform {
  required_version = ">= 1.5.0"

  required_providers {
    oci = {
      source  = "oracle/oci"
      version = ">= 8.28.0, < 9.0.0"
    }
  }
}

# Authenticates with ~/.oci/config (profile DEFAULT) unless told otherwise.
provider "oci" {
  region = var.region
}
