variable "name" {
  description = "Prefix of the bucket names (the account id is appended: bucket names are global)."
  type        = string
}

variable "artifacts_prefix" {
  description = "The object key prefix CloudFront may read: the circuit artifacts (circuits/<claim>/<semver>/...)."
  type        = string
  default     = "circuits/"
}

variable "noncurrent_version_days" {
  description = "Overwritten or deleted objects stay recoverable this many days (versioning)."
  type        = number
  default     = 90
}

variable "backup_noncurrent_version_days" {
  description = "Backups pruned by `veridity backup` (BACKUP_KEEP_DAYS) stay recoverable this many more days."
  type        = number
  default     = 30
}

variable "price_class" {
  type    = string
  default = "PriceClass_100"
}

variable "force_destroy" {
  description = "Let terraform destroy non-empty buckets (dev only)."
  type        = bool
  default     = false
}
