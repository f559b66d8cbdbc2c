variable "name" {
  description = "Prefix of every resource's name (veridity-prod)."
  type        = string
}

variable "cidr_block" {
  description = "The VPC's address range; split into public, application and data subnets per availability zone."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones used (2 or 3). RDS Multi-AZ and ElastiCache failover need at least 2."
  type        = number
  default     = 3
  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for every zone (cheaper; dev) instead of one per zone (a zone's outage keeps the others' egress; prod)."
  type        = bool
  default     = false
}

variable "flow_log_retention_days" {
  description = "Days the VPC flow logs are kept in CloudWatch Logs."
  type        = number
  default     = 90
}
