# dev: the whole shape of prod at the smallest size. Two zones, one NAT gateway, a single-AZ
# database, one Redis node, one task per role; everything can be destroyed.

provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "veridity", Environment = "dev", ManagedBy = "terraform" }
  }
}

module "veridity" {
  source          = "../../modules/stack"
  environment     = "dev"
  domain_name     = var.domain_name
  certificate_arn = var.certificate_arn
  image_tag       = var.image_tag
  alarm_email     = var.alarm_email
  smtp_from       = var.smtp_from

  az_count            = 2
  single_nat_gateway  = true
  deletion_protection = false

  db_instance_class        = "db.t4g.medium"
  db_multi_az              = false
  db_backup_retention_days = 3
  db_allocated_storage     = 20

  redis_node_type          = "cache.t4g.micro"
  redis_num_cache_clusters = 1

  api                  = { cpu = 512, memory = 1024, min = 1, max = 2 }
  worker               = { cpu = 512, memory = 1024, min = 1, max = 2, backlog_per_task = 500 }
  ingest               = { cpu = 256, memory = 512, min = 1, max = 2 }
  global_manager_count = 1
  waf_rate_limit       = 3000
  log_retention_days   = 14
}
