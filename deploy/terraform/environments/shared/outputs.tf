# Shared by environments/dev and environments/prod (each links this file): only their main.tf and
# backend.tf differ.

output "alb_dns_name" {
  value = module.veridity.alb_dns_name
}

output "ecr_repository_url" {
  value = module.veridity.ecr_repository_url
}

output "artifacts_cdn_domain_name" {
  value = module.veridity.artifacts_cdn_domain_name
}

output "cluster_name" {
  value = module.veridity.cluster_name
}

output "operator_secret_arns" {
  value = module.veridity.operator_secret_arns
}

output "migrate_task" {
  value = module.veridity.migrate_task
}

output "alarm_topic_arn" {
  value = module.veridity.alarm_topic_arn
}
