# Veridity on AWS, one environment: the network, the load balancer with WAF, PostgreSQL, Redis,
# object storage with the artifacts CDN, the secrets, and one ECS Fargate service per role (API,
# workers, global manager, ingest gateway) plus the one-off tasks (migrate, scheduled backup), and
# the alarms.
# environments/dev and environments/prod instantiate it with their sizes.

data "aws_region" "current" {}

locals {
  name  = "veridity-${var.environment}"
  image = "${aws_ecr_repository.veridity.repository_url}:${var.image_tag}"

  # Plain settings per role (the README's configuration table); test/terraform-policy.test.ts checks
  # every name against src/config.ts. Secrets never go here: the ecs-service module refuses them.
  environment = {
    # Every role, the ingest gateway included.
    common = {
      VERIDITY_DATA_DIR = "/data"
      LOG_LEVEL         = var.log_level
      PUBLIC_URL        = "https://${var.domain_name}"
      S3_BUCKET         = module.storage.objects_bucket_name
      S3_REGION         = data.aws_region.current.region
    }
    # The roles on the owner's database (all but the ingest gateway).
    platform = {
      BACKUP_S3_BUCKET          = module.storage.backups_bucket_name
      VERIDITY_EMBEDDED_WORKERS = "false"
      GLOBAL_MANAGER_EMBEDDED   = "false"
    }
    # Services with the collector sidecar send their traces to it.
    telemetry = {
      OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:4318"
    }
    api = {
      HOST              = "0.0.0.0"
      PORT              = "3000"
      TRUST_PROXY       = "true"
      OTEL_SERVICE_NAME = "veridity-api"
    }
    worker = {
      HOST                = "127.0.0.1"
      WORKER_METRICS_PORT = "9100"
      OTEL_SERVICE_NAME   = "veridity-worker"
    }
    global_manager = {
      GLOBAL_MANAGER_ADMIN_HOST = "127.0.0.1"
      GLOBAL_MANAGER_ADMIN_PORT = "9464"
      OTEL_SERVICE_NAME         = "veridity-global-manager"
    }
    ingest = {
      HOST              = "0.0.0.0"
      PORT              = "3000"
      TRUST_PROXY       = "true"
      OTEL_SERVICE_NAME = "veridity-ingest"
    }
  }

  # Secrets Manager ARNs, injected by ECS at start.
  secrets = {
    # The owner's database role and the encryption key: every role but the ingest gateway.
    platform = {
      DATABASE_URL            = module.secrets.arns["DATABASE_URL"]
      VERIDITY_ENCRYPTION_KEY = module.secrets.arns["VERIDITY_ENCRYPTION_KEY"]
    }
    api = {
      VERIDITY_ADMIN_TOKEN = module.secrets.arns["VERIDITY_ADMIN_TOKEN"]
      REDIS_URL            = module.secrets.arns["REDIS_URL"]
    }
    # migrate gives the role veridity_ingest this URL's password (`veridity migrate --help`).
    migrate = {
      INGEST_DATABASE_URL = module.secrets.arns["INGEST_DATABASE_URL"]
    }
    # The gateway holds no key: its own narrow database role, and Redis for per-agent rate limits.
    ingest = {
      INGEST_DATABASE_URL = module.secrets.arns["INGEST_DATABASE_URL"]
      REDIS_URL           = module.secrets.arns["REDIS_URL"]
    }
  }
}

# --- Image and cluster --------------------------------------------------------------------------

resource "aws_ecr_repository" "veridity" {
  name                 = local.name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = !var.deletion_protection

  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_lifecycle_policy" "veridity" {
  repository = aws_ecr_repository.veridity.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the last 50 images (rollbacks)"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 50 }
      action       = { type = "expire" }
    }]
  })
}

# Container Insights: RunningTaskCount, which the workers' queue scaling divides by.
resource "aws_ecs_cluster" "this" {
  name = local.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

# --- Network, edge, data ------------------------------------------------------------------------

module "vpc" {
  source             = "../vpc"
  name               = local.name
  az_count           = var.az_count
  single_nat_gateway = var.single_nat_gateway
}

module "alb" {
  source              = "../alb-waf"
  name                = local.name
  vpc_id              = module.vpc.vpc_id
  vpc_cidr_block      = module.vpc.vpc_cidr_block
  public_subnet_ids   = module.vpc.public_subnet_ids
  certificate_arn     = var.certificate_arn
  target_port         = 3000
  waf_rate_limit      = var.waf_rate_limit
  deletion_protection = var.deletion_protection
}

# URL-safe: they go into DATABASE_URL and REDIS_URL as they are.
resource "random_password" "database" {
  length  = 40
  special = false
}

resource "random_password" "redis" {
  length  = 48
  special = false
}

# The ingest gateway's role veridity_ingest (migration 0016), set by the migrate task.
resource "random_password" "ingest_database" {
  length  = 40
  special = false
}

module "postgres" {
  source                = "../rds-postgres"
  name                  = local.name
  vpc_id                = module.vpc.vpc_id
  subnet_ids            = module.vpc.private_data_subnet_ids
  instance_class        = var.db_instance_class
  allocated_storage     = var.db_allocated_storage
  multi_az              = var.db_multi_az
  backup_retention_days = var.db_backup_retention_days
  deletion_protection   = var.deletion_protection
  master_password       = random_password.database.result
  allowed_security_group_ids = [
    module.api.security_group_id,
    module.worker.security_group_id,
    module.global_manager.security_group_id,
    module.ingest.security_group_id,
    module.migrate.security_group_id,
    module.backup.security_group_id,
  ]
}

module "redis" {
  source                     = "../elasticache"
  name                       = local.name
  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.private_data_subnet_ids
  node_type                  = var.redis_node_type
  num_cache_clusters         = var.redis_num_cache_clusters
  auth_token                 = random_password.redis.result
  allowed_security_group_ids = [module.api.security_group_id, module.ingest.security_group_id]
}

module "storage" {
  source        = "../s3-cdn"
  name          = local.name
  force_destroy = !var.deletion_protection
}

module "secrets" {
  source                  = "../secrets"
  name                    = local.name
  recovery_window_in_days = var.deletion_protection ? 30 : 0
  generated = {
    # sslmode=no-verify: encrypted (RDS requires TLS: rds.force_ssl) but the server's certificate is
    # not checked, as RDS's CA is not in Node's trust store (docs/operations.md says how to pin it).
    DATABASE_URL = "postgres://${module.postgres.username}:${random_password.database.result}@${module.postgres.address}:${module.postgres.port}/${module.postgres.database_name}?sslmode=no-verify"
    REDIS_URL    = "rediss://:${random_password.redis.result}@${module.redis.primary_endpoint_address}:${module.redis.port}"
    # The same database as the least-privileged role of the ingest gateway.
    INGEST_DATABASE_URL = "postgres://veridity_ingest:${random_password.ingest_database.result}@${module.postgres.address}:${module.postgres.port}/${module.postgres.database_name}?sslmode=no-verify"
  }
  operator_provided = toset(concat(["VERIDITY_ENCRYPTION_KEY", "VERIDITY_ADMIN_TOKEN"], var.smtp_from == null ? [] : ["SMTP_URL"]))
}

# --- What each role may do (least privilege) ----------------------------------------------------

data "aws_iam_policy_document" "objects" {
  for_each = {
    # The API stores uploaded artifacts and reads results; only the maintenance worker deletes.
    api            = { objects = ["s3:GetObject", "s3:PutObject"], backups = [] }
    worker         = { objects = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], backups = [] }
    global_manager = { objects = ["s3:GetObject", "s3:PutObject"], backups = [] }
    backup         = { objects = ["s3:GetObject"], backups = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] }
  }

  # ListBucket also makes a missing key answer 404 (NoSuchKey) rather than 403.
  statement {
    sid       = "ListObjects"
    actions   = ["s3:ListBucket"]
    resources = length(each.value.backups) > 0 ? [module.storage.objects_bucket_arn, module.storage.backups_bucket_arn] : [module.storage.objects_bucket_arn]
  }
  statement {
    sid       = "Objects"
    actions   = each.value.objects
    resources = ["${module.storage.objects_bucket_arn}/*"]
  }
  dynamic "statement" {
    for_each = length(each.value.backups) > 0 ? [1] : []
    content {
      sid       = "Backups"
      actions   = each.value.backups
      resources = ["${module.storage.backups_bucket_arn}/*"]
    }
  }
  statement {
    sid       = "ObjectEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.storage.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.current.region}.amazonaws.com"]
    }
  }
}

# The ingest gateway stores submitted documents (evidence/<client>/...) and reads nothing.
data "aws_iam_policy_document" "ingest_objects" {
  statement {
    sid       = "AddSubmittedDocuments"
    actions   = ["s3:PutObject"]
    resources = ["${module.storage.objects_bucket_arn}/evidence/*"]
  }
  # A single-part PutObject under SSE-KMS needs a data key, never Decrypt.
  statement {
    sid       = "ObjectEncryption"
    actions   = ["kms:GenerateDataKey"]
    resources = [module.storage.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.current.region}.amazonaws.com"]
    }
  }
}

# --- The roles ----------------------------------------------------------------------------------

module "api" {
  source              = "../ecs-service"
  name                = "${local.name}-api"
  environment_name    = var.environment
  cluster_arn         = aws_ecs_cluster.this.arn
  cluster_name        = aws_ecs_cluster.this.name
  image               = local.image
  ecr_repository_arn  = aws_ecr_repository.veridity.arn
  command             = ["serve"]
  cpu                 = var.api.cpu
  memory              = var.api.memory
  environment         = merge(local.environment.common, local.environment.platform, local.environment.telemetry, local.environment.api)
  secrets             = merge(local.secrets.platform, local.secrets.api)
  secrets_kms_key_arn = module.secrets.kms_key_arn
  task_policies       = { objects = data.aws_iam_policy_document.objects["api"].json }

  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.private_app_subnet_ids
  container_port             = 3000
  ingress_security_group_ids = [module.alb.security_group_id]
  target_group_arn           = module.alb.target_group_arn
  health_check_command       = ["CMD", "node", "deploy/healthcheck.ts"]
  metrics_port               = 3000

  desired_count      = var.api.min
  min_capacity       = var.api.min
  max_capacity       = var.api.max
  log_retention_days = var.log_retention_days
}

module "worker" {
  source              = "../ecs-service"
  name                = "${local.name}-worker"
  environment_name    = var.environment
  cluster_arn         = aws_ecs_cluster.this.arn
  cluster_name        = aws_ecs_cluster.this.name
  image               = local.image
  ecr_repository_arn  = aws_ecr_repository.veridity.arn
  command             = ["worker"]
  cpu                 = var.worker.cpu
  memory              = var.worker.memory
  environment         = merge(local.environment.common, local.environment.platform, local.environment.telemetry, local.environment.worker, var.smtp_from == null ? {} : { SMTP_FROM = var.smtp_from })
  secrets             = merge(local.secrets.platform, var.smtp_from == null ? {} : { SMTP_URL = try(module.secrets.arns["SMTP_URL"], "") })
  secrets_kms_key_arn = module.secrets.kms_key_arn
  task_policies       = { objects = data.aws_iam_policy_document.objects["worker"].json }

  vpc_id               = module.vpc.vpc_id
  subnet_ids           = module.vpc.private_app_subnet_ids
  health_check_command = ["CMD", "node", "deploy/healthcheck.ts", "http://127.0.0.1:9100/metrics"]
  metrics_port         = 9100

  desired_count = var.worker.min
  min_capacity  = var.worker.min
  max_capacity  = var.worker.max
  queue_scaling = {
    queues           = var.scaling_queues
    backlog_per_task = var.worker.backlog_per_task
  }
  log_retention_days = var.log_retention_days
}

module "global_manager" {
  source              = "../ecs-service"
  name                = "${local.name}-global-manager"
  environment_name    = var.environment
  cluster_arn         = aws_ecs_cluster.this.arn
  cluster_name        = aws_ecs_cluster.this.name
  image               = local.image
  ecr_repository_arn  = aws_ecr_repository.veridity.arn
  command             = ["global-manager"]
  cpu                 = 512
  memory              = 1024
  environment         = merge(local.environment.common, local.environment.platform, local.environment.telemetry, local.environment.global_manager)
  secrets             = local.secrets.platform
  secrets_kms_key_arn = module.secrets.kms_key_arn
  task_policies       = { objects = data.aws_iam_policy_document.objects["global_manager"].json }

  vpc_id               = module.vpc.vpc_id
  subnet_ids           = module.vpc.private_app_subnet_ids
  health_check_command = ["CMD", "node", "deploy/healthcheck.ts", "http://127.0.0.1:9464/status.json"]
  metrics_port         = 9464

  # A fixed count: one leads (a PostgreSQL advisory lock), the others stand by.
  desired_count      = var.global_manager_count
  min_capacity       = var.global_manager_count
  max_capacity       = var.global_manager_count
  log_retention_days = var.log_retention_days
}

# The ingest gateway: agents' submissions, forwarded by the load balancer on /ingest/v1/proofs, as
# the role veridity_ingest. It starts once the migrate task has set that role's password.
module "ingest" {
  source              = "../ecs-service"
  name                = "${local.name}-ingest"
  environment_name    = var.environment
  cluster_arn         = aws_ecs_cluster.this.arn
  cluster_name        = aws_ecs_cluster.this.name
  image               = local.image
  ecr_repository_arn  = aws_ecr_repository.veridity.arn
  command             = ["ingest"]
  cpu                 = var.ingest.cpu
  memory              = var.ingest.memory
  environment         = merge(local.environment.common, local.environment.telemetry, local.environment.ingest)
  secrets             = local.secrets.ingest
  secrets_kms_key_arn = module.secrets.kms_key_arn
  task_policies       = { objects = data.aws_iam_policy_document.ingest_objects.json }

  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.private_app_subnet_ids
  container_port             = 3000
  ingress_security_group_ids = [module.alb.security_group_id]
  target_group_arn           = module.alb.ingest_target_group_arn
  health_check_command       = ["CMD", "node", "deploy/healthcheck.ts"]
  metrics_port               = 3000

  desired_count      = var.ingest.min
  min_capacity       = var.ingest.min
  max_capacity       = var.ingest.max
  log_retention_days = var.log_retention_days
}

# Run before a release's services (docs/operations.md, Upgrades): aws ecs run-task ... migrate.
module "migrate" {
  source              = "../ecs-service"
  name                = "${local.name}-migrate"
  environment_name    = var.environment
  cluster_arn         = aws_ecs_cluster.this.arn
  cluster_name        = aws_ecs_cluster.this.name
  image               = local.image
  ecr_repository_arn  = aws_ecr_repository.veridity.arn
  command             = ["migrate"]
  cpu                 = 512
  memory              = 1024
  environment         = merge(local.environment.common, local.environment.platform)
  secrets             = merge(local.secrets.platform, local.secrets.migrate)
  secrets_kms_key_arn = module.secrets.kms_key_arn
  vpc_id              = module.vpc.vpc_id
  subnet_ids          = module.vpc.private_app_subnet_ids
  run_as_service      = false
  log_retention_days  = var.log_retention_days
}

# A portable backup (database and objects, README "Backups") every day, besides RDS's snapshots.
module "backup" {
  source              = "../ecs-service"
  name                = "${local.name}-backup"
  environment_name    = var.environment
  cluster_arn         = aws_ecs_cluster.this.arn
  cluster_name        = aws_ecs_cluster.this.name
  image               = local.image
  ecr_repository_arn  = aws_ecr_repository.veridity.arn
  command             = ["backup", "--to", "s3"]
  cpu                 = 1024
  memory              = 2048
  environment         = merge(local.environment.common, local.environment.platform)
  secrets             = local.secrets.platform
  secrets_kms_key_arn = module.secrets.kms_key_arn
  task_policies       = { objects = data.aws_iam_policy_document.objects["backup"].json }
  vpc_id              = module.vpc.vpc_id
  subnet_ids          = module.vpc.private_app_subnet_ids
  run_as_service      = false
  schedule_expression = var.backup_schedule
  log_retention_days  = var.log_retention_days
}

module "alarms" {
  source                  = "../alarms"
  name                    = local.name
  environment_name        = var.environment
  alb_arn_suffix          = module.alb.alb_arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  db_instance_id          = module.postgres.instance_id
  alarm_email             = var.alarm_email
}
