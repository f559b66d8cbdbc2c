output "security_group_id" {
  value = aws_security_group.task.id
}

output "service_name" {
  value = var.run_as_service ? aws_ecs_service.this[0].name : null
}

output "task_definition_arn" {
  value = aws_ecs_task_definition.this.arn
}

output "task_role_arn" {
  value = aws_iam_role.task.arn
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.this.name
}
