# A minimal private network, only when create_network = true: one private
# subnet whose sole route is a service gateway to the Oracle Services Network
# (Object Storage, Vault, Secrets, Functions), and whose sole egress is HTTPS.

data "oci_core_services" "all" {
  count = var.create_network ? 1 : 0

  filter {
    name   = "name"
    values = ["All .* Services In Oracle Services Network"]
    regex  = true
  }
}

resource "oci_core_vcn" "this" {
  count = var.create_network ? 1 : 0

  compartment_id = var.compartment_id
  display_name   = "${var.name}-vcn"
  cidr_blocks    = [var.vcn_cidr_block]
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags
}

resource "oci_core_service_gateway" "this" {
  count = var.create_network ? 1 : 0

  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.this[0].id
  display_name   = "${var.name}-sgw"
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  services {
    service_id = data.oci_core_services.all[0].services[0].id
  }
}

resource "oci_core_route_table" "this" {
  count = var.create_network ? 1 : 0

  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.this[0].id
  display_name   = "${var.name}-rt"
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  route_rules {
    description       = "OCI services through the service gateway"
    destination       = data.oci_core_services.all[0].services[0].cidr_block
    destination_type  = "SERVICE_CIDR_BLOCK"
    network_entity_id = oci_core_service_gateway.this[0].id
  }
}

resource "oci_core_security_list" "this" {
  count = var.create_network ? 1 : 0

  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.this[0].id
  display_name   = "${var.name}-sl"
  freeform_tags  = var.freeform_tags
  defined_tags   = var.defined_tags

  egress_security_rules {
    description      = "HTTPS to OCI services"
    destination      = data.oci_core_services.all[0].services[0].cidr_block
    destination_type = "SERVICE_CIDR_BLOCK"
    protocol         = "6"

    # The Go schema puts min/max directly in tcp_options (see the reference's notes).
    tcp_options {
      min = 443
      max = 443
    }
  }
}

resource "oci_core_subnet" "this" {
  count = var.create_network ? 1 : 0

  compartment_id             = var.compartment_id
  vcn_id                     = oci_core_vcn.this[0].id
  display_name               = "${var.name}-subnet"
  cidr_block                 = var.subnet_cidr_block
  prohibit_public_ip_on_vnic = true
  route_table_id             = oci_core_route_table.this[0].id
  security_list_ids          = [oci_core_security_list.this[0].id]
  freeform_tags              = var.freeform_tags
  defined_tags               = var.defined_tags
}
