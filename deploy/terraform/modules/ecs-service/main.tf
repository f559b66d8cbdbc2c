# One Veridity role on ECS Fargate: its task definition (read-only root file system, secrets from
# Secrets Manager, /data and /tmp as task storage), its own execution and task roles, a security
# group open only to the given sources, and either a service (with CPU and queue-depth autoscaling)
# or, for one-off roles, the task definition alone, optionally run on a schedule.

data "aws_region" "current" {}

locals {
  with_collector    = var.metrics_port != null
  metrics_log_group = "/ecs/${var.name}/metrics"
  # Secret ARNs without a JSON key suffix: what the execution role may read.
  secret_arns = distinct([for ref in values(var.secrets) : regex("^(arn:[^:]+:secretsmanager:[^:]+:[^:]+:secret:[^:]+)", ref)[0]])

  app_container = {
    name                   = "veridity"
    image                  = var.image
    command                = var.command
    essential              = true
    readonlyRootFilesystem = true
    stopTimeout            = var.stop_timeout
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    portMappings = var.container_port == null ? [] : [{ containerPort = var.container_port, protocol = "tcp" }]
    environment  = [for name, value in var.environment : { name = name, value = value }]
    secrets      = [for name, ref in var.secrets : { name = name, valueFrom = ref }]
    mountPoints = [
      { sourceVolume = "data", containerPath = "/data", readOnly = false },
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
    ]
    healthCheck = var.health_check_command == null ? null : {
      command     = var.health_check_command
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 60
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.region
        awslogs-stream-prefix = "veridity"
      }
    }
  }

  collector_container = {
    name                   = "otel-collector"
    image                  = var.collector_image
    essential              = false
    readonlyRootFilesystem = true
    environment = [{
      name = "AOT_CONFIG_CONTENT"
      value = templatefile("${path.module}/otel-collector.yaml.tftpl", {
        metrics_port     = coalesce(var.metrics_port, 0)
        environment_name = var.environment_name
        namespace        = var.metrics_namespace
        log_group_name   = local.metrics_log_group
      })
    }]
    healthCheck = { command = ["/healthcheck"], interval = 15, timeout = 5, retries = 3, startPeriod = 30 }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.region
        awslogs-stream-prefix = "otel-collector"
      }
    }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
}

# Where the collector writes the metrics (CloudWatch embedded metric format).
resource "aws_cloudwatch_log_group" "metrics" {
  count             = local.with_collector ? 1 : 0
  name              = local.metrics_log_group
  retention_in_days = 7
}

# --- IAM: the execution role starts the task, the task role is what the process may do ---------

data "aws_iam_policy_document" "assume_ecs_tasks" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PullTheImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [var.ecr_repository_arn]
  }
  statement {
    sid       = "WriteItsLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
  dynamic "statement" {
    for_each = length(var.secrets) > 0 ? [1] : []
    content {
      sid       = "ReadItsSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.secret_arns
    }
  }
  dynamic "statement" {
    for_each = length(var.secrets) > 0 ? [1] : []
    content {
      sid       = "DecryptItsSecrets"
      actions   = ["kms:Decrypt"]
      resources = [var.secrets_kms_key_arn]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${data.aws_region.current.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-task"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

data "aws_iam_policy_document" "collector" {
  count = local.with_collector ? 1 : 0
  statement {
    sid       = "PublishMetrics"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.metrics[0].arn}:*"]
  }
  statement {
    sid = "PublishTraces"
    # X-Ray has no resource-level permissions.
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "collector" {
  count  = local.with_collector ? 1 : 0
  name   = "telemetry"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.collector[0].json
}

# for_each over the names: the documents are unknown until the buckets exist, and a count that
# depended on them could not be planned.
resource "aws_iam_role_policy" "task" {
  for_each = var.task_policies
  name     = each.key
  role     = aws_iam_role.task.id
  policy   = each.value
}

# --- Network ------------------------------------------------------------------------------------

resource "aws_security_group" "task" {
  name        = var.name
  description = "Veridity ${var.name} tasks"
  vpc_id      = var.vpc_id
  tags        = { Name = var.name }
}

resource "aws_vpc_security_group_ingress_rule" "from_sources" {
  count                        = var.container_port == null ? 0 : length(var.ingress_security_group_ids)
  security_group_id            = aws_security_group.task.id
  description                  = "The container port, from the allowed sources"
  referenced_security_group_id = var.ingress_security_group_ids[count.index]
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
}

# Out through NAT: partners' webhook endpoints are anywhere on the internet, as are SMTP and PCCS.
resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.task.id
  description       = "Webhooks, SMTP, AWS APIs, the database and Redis"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

# --- Task definition and service ----------------------------------------------------------------

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  # Encoded per branch: the two lists are tuples of different types, which one conditional cannot unify.
  container_definitions = local.with_collector ? jsonencode([local.app_container, local.collector_container]) : jsonencode([local.app_container])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Task storage for the only paths the process writes (the image declares both as volumes, so they
  # keep the image's ownership: the non-root user owns /data, /tmp is world-writable with the sticky bit).
  volume {
    name = "data"
  }
  volume {
    name = "tmp"
  }
}

resource "aws_ecs_service" "this" {
  count                              = var.run_as_service ? 1 : 0
  name                               = var.name
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.target_group_arn == null ? null : 60

  # A new revision that cannot become healthy is rolled back to the one that ran.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.task.id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.target_group_arn == null ? [] : [var.target_group_arn]
    content {
      target_group_arn = load_balancer.value
      container_name   = "veridity"
      container_port   = var.container_port
    }
  }

  # Autoscaling owns the count once the service exists.
  lifecycle {
    ignore_changes = [desired_count]
  }
}

# --- Autoscaling: CPU, and the workers' queue backlog -------------------------------------------

resource "aws_appautoscaling_target" "this" {
  count              = var.run_as_service ? 1 : 0
  service_namespace  = "ecs"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this[0].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
}

resource "aws_appautoscaling_policy" "cpu" {
  count              = var.run_as_service ? 1 : 0
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# Every worker publishes the same database-wide depth (read at scrape time), so the metric's
# Maximum is the depth; divided by the running tasks (Container Insights) it is the backlog each
# task faces, which more tasks bring down: what target tracking needs.
resource "aws_appautoscaling_policy" "queue_backlog" {
  count              = var.run_as_service && var.queue_scaling != null ? 1 : 0
  name               = "${var.name}-queue-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.queue_scaling.backlog_per_task
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      metrics {
        id          = "backlog_per_task"
        label       = "Ready jobs per running task"
        expression  = "(${join(" + ", [for i, queue in var.queue_scaling.queues : "FILL(q${i}, 0)"])}) / tasks"
        return_data = true
      }

      dynamic "metrics" {
        for_each = var.queue_scaling.queues
        content {
          id          = "q${metrics.key}"
          return_data = false
          metric_stat {
            stat = "Maximum"
            metric {
              namespace   = var.metrics_namespace
              metric_name = "veridity_queue_jobs"
              dimensions {
                name  = "environment"
                value = var.environment_name
              }
              dimensions {
                name  = "queue"
                value = metrics.value
              }
              dimensions {
                name  = "state"
                value = "ready"
              }
            }
          }
        }
      }

      metrics {
        id          = "tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = var.cluster_name
            }
            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.this[0].name
            }
          }
        }
      }
    }
  }
}

# --- One-off roles on a schedule (backups) ------------------------------------------------------

data "aws_iam_policy_document" "assume_scheduler" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  count              = var.schedule_expression == null ? 0 : 1
  name               = "${var.name}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.assume_scheduler.json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    actions   = ["ecs:RunTask"]
    resources = [aws_ecs_task_definition.this.arn_without_revision, "${aws_ecs_task_definition.this.arn_without_revision}:*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn, aws_iam_role.task.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "scheduler" {
  count  = var.schedule_expression == null ? 0 : 1
  name   = "run-task"
  role   = aws_iam_role.scheduler[0].id
  policy = data.aws_iam_policy_document.scheduler.json
}

resource "aws_scheduler_schedule" "this" {
  count               = var.schedule_expression == null ? 0 : 1
  name                = var.name
  schedule_expression = var.schedule_expression

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.cluster_arn
    role_arn = aws_iam_role.scheduler[0].arn

    ecs_parameters {
      task_definition_arn = aws_ecs_task_definition.this.arn_without_revision
      launch_type         = "FARGATE"
      platform_version    = "LATEST"

      network_configuration {
        subnets          = var.subnet_ids
        security_groups  = [aws_security_group.task.id]
        assign_public_ip = false
      }
    }
  }
}
