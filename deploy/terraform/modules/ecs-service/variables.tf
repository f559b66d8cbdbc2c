variable "name" {
  description = "The service's name (veridity-prod-api): task family, log group, roles."
  type        = string
}

variable "environment_name" {
  description = "dev, prod: the `environment` dimension of the metrics the collector publishes."
  type        = string
}

variable "cluster_arn" {
  type = string
}

variable "cluster_name" {
  type = string
}

variable "image" {
  description = "The Veridity image (deploy/Dockerfile), by tag or digest."
  type        = string
}

variable "ecr_repository_arn" {
  description = "The repository the image is pulled from: the execution role may read it and no other."
  type        = string
}

variable "command" {
  description = "The role: [\"serve\"], [\"worker\"] or [\"worker\", kinds...], [\"global-manager\"], [\"ingest\"], [\"migrate\"], [\"backup\", \"--to\", \"s3\"]."
  type        = list(string)
}

variable "cpu" {
  description = "Fargate CPU units (1024 = 1 vCPU)."
  type        = number
}

variable "memory" {
  description = "Fargate memory (MiB)."
  type        = number
}

variable "cpu_architecture" {
  type    = string
  default = "X86_64"
}

variable "environment" {
  description = "Plain settings (the README's configuration table). Never a secret: those go in `secrets`."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for name in keys(var.environment) : !can(regex("(?i)(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|ENCRYPTION_KEY|DATABASE_URL|REDIS_URL|SMTP_URL|RPC_URL)", name))])
    error_message = "A secret-looking variable is in `environment`: pass it in `secrets` (a Secrets Manager ARN) instead."
  }
}

variable "secrets" {
  description = "Variable name -> Secrets Manager secret ARN (optionally :json-key::), injected by ECS at start; never in the task definition."
  type        = map(string)
  default     = {}
}

variable "secrets_kms_key_arn" {
  description = "The KMS key of those secrets (the execution role decrypts through Secrets Manager only)."
  type        = string
}

variable "task_policies" {
  description = "The role's own permissions (S3 objects, ...): policy name -> IAM policy document JSON; none by default."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Private application subnets: tasks never get a public address."
  type        = list(string)
}

variable "container_port" {
  description = "The port the container listens on for other tasks or the load balancer; null: none."
  type        = number
  default     = null
}

variable "ingress_security_group_ids" {
  description = "Security groups allowed to reach container_port (the load balancer's)."
  type        = list(string)
  default     = []
}

variable "target_group_arn" {
  description = "Register the tasks with this load balancer target group; null: none."
  type        = string
  default     = null
}

variable "health_check_command" {
  description = "The container health check (ECS form: [\"CMD\", ...]); null for one-off tasks."
  type        = list(string)
  default     = null
}

variable "metrics_port" {
  description = "The port of the role's Prometheus /metrics on 127.0.0.1; set: a collector sidecar publishes the Veridity metrics to CloudWatch and takes traces (OTLP) to X-Ray."
  type        = number
  default     = null
}

variable "metrics_namespace" {
  type    = string
  default = "Veridity"
}

variable "collector_image" {
  description = "The OpenTelemetry collector sidecar (AWS's distribution: CloudWatch EMF and X-Ray exporters, a /healthcheck binary)."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
}

variable "run_as_service" {
  description = "false: only the task definition (one-off tasks: migrate, scheduled backups)."
  type        = bool
  default     = true
}

variable "schedule_expression" {
  description = "EventBridge Scheduler expression (cron(0 3 * * ? *)) running the task; null: not scheduled."
  type        = string
  default     = null
}

variable "desired_count" {
  type    = number
  default = 2
}

variable "min_capacity" {
  type    = number
  default = 2
}

variable "max_capacity" {
  type    = number
  default = 6
}

variable "cpu_target_percent" {
  description = "Target tracking on the service's average CPU."
  type        = number
  default     = 60
}

variable "queue_scaling" {
  description = "Target tracking on queue backlog per task: ready jobs of these queues (the workers' veridity_queue_jobs{state=\"ready\"}, published by the sidecar) divided by the running tasks. null: CPU only."
  type = object({
    queues           = list(string)
    backlog_per_task = number
  })
  default = null
}

variable "stop_timeout" {
  description = "Seconds between SIGTERM and SIGKILL: work in flight finishes (workers wait up to 20 s)."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  type    = number
  default = 90
}
