variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "vpc_cidr_block" {
  description = "The load balancer may reach targets in this range only."
  type        = string
}

variable "public_subnet_ids" {
  type = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate of the public name (PUBLIC_URL's host), in the load balancer's region."
  type        = string
}

variable "target_port" {
  description = "The port the API and ingest gateway containers listen on."
  type        = number
  default     = 3000
}

variable "health_check_path" {
  description = "Readiness: a task gets traffic only while the database answers and migrations are applied."
  type        = string
  default     = "/readyz"
}

variable "waf_rate_limit" {
  description = "Requests one client IP may send in any 5 minutes before WAF blocks it (Veridity's own per-partner limits apply after)."
  type        = number
  default     = 3000
  # The provider's own check is 100 (AWS accepts 10 since 2024).
  validation {
    condition     = var.waf_rate_limit >= 100
    error_message = "WAF rate-based rules need a limit of at least 100."
  }
}

variable "deletion_protection" {
  type    = bool
  default = true
}

variable "waf_log_retention_days" {
  type    = number
  default = 90
}
