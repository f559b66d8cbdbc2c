output "alb_dns_name" {
  description = "Point domain_name at it (Route 53 alias or CNAME)."
  value       = module.alb.dns_name
}

output "ecr_repository_url" {
  description = "docker push <this>:<image_tag> before `terraform apply` uses the tag."
  value       = aws_ecr_repository.veridity.repository_url
}

output "artifacts_cdn_domain_name" {
  value = module.storage.artifacts_cdn_domain_name
}

output "cluster_name" {
  value = aws_ecs_cluster.this.name
}

output "operator_secret_arns" {
  description = "Put these values yourself (aws secretsmanager put-secret-value): Terraform never holds them."
  value       = { for name in ["VERIDITY_ENCRYPTION_KEY", "VERIDITY_ADMIN_TOKEN", "SMTP_URL"] : name => module.secrets.arns[name] if contains(keys(module.secrets.arns), name) }
}

output "migrate_task" {
  description = "What `aws ecs run-task` needs to run the migrations (docs/operations.md, Upgrades)."
  value = {
    task_definition = module.migrate.task_definition_arn
    subnets         = module.vpc.private_app_subnet_ids
    security_group  = module.migrate.security_group_id
  }
}

output "alarm_topic_arn" {
  value = module.alarms.topic_arn
}
