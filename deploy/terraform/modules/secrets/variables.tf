variable "name" {
  description = "Secrets are named <name>/<VARIABLE> (veridity-prod/DATABASE_URL)."
  type        = string
}

variable "generated" {
  description = "Secrets whose value this stack knows (URLs built from the passwords it generates): variable name -> value."
  type        = map(string)
  sensitive   = true
}

variable "operator_provided" {
  description = "Secrets created empty, whose value the operator puts with `aws secretsmanager put-secret-value`, so that it never enters Terraform's state: VERIDITY_ENCRYPTION_KEY, VERIDITY_ADMIN_TOKEN, ..."
  type        = set(string)
}

variable "recovery_window_in_days" {
  description = "A deleted secret can be restored this many days (0: deleted at once; dev)."
  type        = number
  default     = 30
}
