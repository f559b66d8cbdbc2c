# Shared by environments/dev and environments/prod (each links this file): only their main.tf and
# backend.tf differ.

# Only what differs between accounts. No secret is a variable: the generated ones (database and
# Redis passwords) come from random_password, the others are put into Secrets Manager by the operator.

variable "region" {
  type = string
}

variable "domain_name" {
  description = "The public name: PUBLIC_URL is https://<domain_name>."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for domain_name in var.region (DNS-validated)."
  type        = string
}

variable "image_tag" {
  description = "The release to run, pushed to the stack's ECR repository (output ecr_repository_url)."
  type        = string
}

variable "alarm_email" {
  type    = string
  default = null
}

variable "smtp_from" {
  description = "Sender of notification e-mails (Veridity <noreply@example.com>); null: e-mail off."
  type        = string
  default     = null
}
