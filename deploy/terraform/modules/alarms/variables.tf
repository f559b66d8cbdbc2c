variable "name" {
  type = string
}

variable "environment_name" {
  description = "The `environment` dimension of Veridity's CloudWatch metrics."
  type        = string
}

variable "metrics_namespace" {
  type    = string
  default = "Veridity"
}

variable "alb_arn_suffix" {
  type = string
}

variable "target_group_arn_suffix" {
  type = string
}

variable "db_instance_id" {
  type = string
}

variable "alarm_email" {
  description = "Subscribed to the alarm topic (confirm the e-mail AWS sends); null: subscribe something else to the topic."
  type        = string
  default     = null
}

variable "error_rate_percent" {
  description = "5xx answers (the API's and the load balancer's) as a share of requests."
  type        = number
  default     = 1
}

variable "p99_latency_seconds" {
  type    = number
  default = 1
}

variable "queue_age_seconds" {
  description = "How long the oldest ready job of any queue may wait."
  type        = number
  default     = 300
}
