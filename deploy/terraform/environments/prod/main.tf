# prod: three zones with a NAT gateway each, a Multi-AZ database with 30 days of point-in-time
# recovery, Redis with a replica, two tasks at least per role, deletion protection everywhere.
# Sizes: docs/operations.md, Sizing.

provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "veridity", Environment = "prod", ManagedBy = "terraform" }
  }
}

module "veridity" {
  source          = "../../modules/stack"
  environment     = "prod"
  domain_name     = var.domain_name
  certificate_arn = var.certificate_arn
  image_tag       = var.image_tag
  alarm_email     = var.alarm_email
  smtp_from       = var.smtp_from

  az_count            = 3
  single_nat_gateway  = false
  deletion_protection = true

  db_instance_class        = "db.m7g.large"
  db_multi_az              = true
  db_backup_retention_days = 30
  db_allocated_storage     = 100

  redis_node_type          = "cache.t4g.small"
  redis_num_cache_clusters = 2

  api                  = { cpu = 1024, memory = 2048, min = 2, max = 10 }
  worker               = { cpu = 1024, memory = 2048, min = 2, max = 20, backlog_per_task = 200 }
  ingest               = { cpu = 512, memory = 1024, min = 2, max = 6 }
  global_manager_count = 2
  waf_rate_limit       = 3000
  log_retention_days   = 90
}
