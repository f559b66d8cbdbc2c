variable "environment" {
  description = "dev or prod: in every name, and the `environment` dimension of the metrics."
  type        = string
}

variable "domain_name" {
  description = "The public name (PUBLIC_URL is https://<it>); point it at the load balancer (output alb_dns_name)."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for domain_name, in this region."
  type        = string
}

variable "image_tag" {
  description = "The Veridity image to run, from this stack's ECR repository (a release tag; tags are immutable)."
  type        = string
}

variable "az_count" {
  type    = number
  default = 3
}

variable "single_nat_gateway" {
  type    = bool
  default = false
}

variable "db_instance_class" {
  type = string
}

variable "db_multi_az" {
  type = bool
}

variable "db_backup_retention_days" {
  type    = number
  default = 14
}

variable "db_allocated_storage" {
  type    = number
  default = 50
}

variable "deletion_protection" {
  description = "The load balancer and the database refuse deletion; buckets refuse destroying their objects."
  type        = bool
  default     = true
}

variable "redis_node_type" {
  type    = string
  default = "cache.t4g.small"
}

variable "redis_num_cache_clusters" {
  type    = number
  default = 2
}

variable "api" {
  description = "API tasks: size and autoscaling bounds (docs/operations.md, Sizing)."
  type        = object({ cpu = number, memory = number, min = number, max = number })
}

variable "worker" {
  description = "Worker tasks: size, autoscaling bounds, and the ready-jobs-per-task target of the queue scaling."
  type        = object({ cpu = number, memory = number, min = number, max = number, backlog_per_task = number })
}

variable "ingest" {
  description = "Ingest gateway tasks: size and autoscaling bounds (CPU)."
  type        = object({ cpu = number, memory = number, min = number, max = number })
}

variable "global_manager_count" {
  description = "Global managers: one leads, the others stand by (2 for a takeover within GLOBAL_MANAGER_STANDBY_POLL_SECONDS)."
  type        = number
  default     = 2
}

variable "scaling_queues" {
  description = "The queues whose ready jobs scale the workers (veridity_queue_jobs' `queue` label)."
  type        = list(string)
  default     = ["webhooks", "attestations.verify-task", "evidence.verify"]
}

variable "waf_rate_limit" {
  type    = number
  default = 3000
}

variable "log_level" {
  type    = string
  default = "info"
}

variable "log_retention_days" {
  type    = number
  default = 90
}

variable "backup_schedule" {
  description = "When `veridity backup --to s3` runs (EventBridge Scheduler, UTC), besides RDS's own automated backups."
  type        = string
  default     = "cron(30 3 * * ? *)"
}

variable "smtp_from" {
  description = "Sender of notification e-mails; set, the workers send e-mail through the SMTP_URL secret (put by the operator). null: e-mail off."
  type        = string
  default     = null
}

variable "alarm_email" {
  type    = string
  default = null
}
