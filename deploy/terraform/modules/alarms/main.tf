# The alarms docs/operations.md explains, each with what to do: 5xx rate, p99 latency, queue age,
# ledger audit mismatches, and the database's CPU and free storage. All notify one SNS topic.

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alarm_email == null ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  actions = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "http_5xx_rate" {
  alarm_name          = "${var.name}-http-5xx-rate"
  alarm_description   = "More than ${var.error_rate_percent}% of requests answered 5xx (docs/operations.md#5xx-rate)."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_rate_percent
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "rate"
    label       = "5xx per 100 requests"
    expression  = "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests"
    return_data = true
  }
  metric_query {
    id = "target5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }
  metric_query {
    id = "elb5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "p99_latency" {
  alarm_name          = "${var.name}-p99-latency"
  alarm_description   = "p99 of the API's response time above ${var.p99_latency_seconds} s (docs/operations.md#p99-latency)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.p99_latency_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# Over every queue at once (CloudWatch Metrics Insights). No data at all is an alarm too: the
# workers (or their collector sidecars, which publish the metric) are gone.
resource "aws_cloudwatch_metric_alarm" "queue_age" {
  alarm_name          = "${var.name}-queue-age"
  alarm_description   = "A queue's oldest ready job has waited more than ${var.queue_age_seconds} s, or the workers publish nothing (docs/operations.md#queue-age)."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.queue_age_seconds
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "oldest"
    label       = "Oldest ready job, any queue (s)"
    expression  = "SELECT MAX(veridity_queue_oldest_ready_age_seconds) FROM SCHEMA(\"${var.metrics_namespace}\", environment, queue) WHERE environment = '${var.environment_name}'"
    period      = 60
    return_data = true
  }
}

resource "aws_cloudwatch_metric_alarm" "ledger_audit_mismatches" {
  alarm_name          = "${var.name}-ledger-audit-mismatches"
  alarm_description   = "The daily ledger audit found the database no longer matching the signed checkpoints (docs/operations.md#ledger-audit-mismatches)."
  namespace           = var.metrics_namespace
  metric_name         = "veridity_ledger_audit_mismatches"
  dimensions          = { environment = var.environment_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

resource "aws_cloudwatch_metric_alarm" "db_cpu" {
  alarm_name          = "${var.name}-db-cpu"
  alarm_description   = "PostgreSQL CPU above 80% for 15 minutes (docs/operations.md#database-cpu-or-storage)."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.db_instance_id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

resource "aws_cloudwatch_metric_alarm" "db_free_storage" {
  alarm_name          = "${var.name}-db-free-storage"
  alarm_description   = "PostgreSQL free storage below 10 GiB (docs/operations.md#database-cpu-or-storage)."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.db_instance_id }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = 10 * 1024 * 1024 * 1024
  alarm_actions       = local.actions
  ok_actions          = local.actions
}
