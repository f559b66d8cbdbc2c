# Secrets Manager, with a KMS key of its own, for every secret a Veridity task receives. ECS injects
# them into the container's environment at start (task definition `secrets`), so no value appears in
# a task definition, a plan or the console. The encryption key and the admin token are put by the
# operator (docs/operations.md): Terraform creates the secrets but never sees their values.

resource "aws_kms_key" "this" {
  description             = "${var.name} secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-secrets"
  target_key_id = aws_kms_key.this.key_id
}

locals {
  # nonsensitive: the names are not secret, only the values (for_each refuses sensitive keys).
  names = setunion(nonsensitive(toset(keys(var.generated))), var.operator_provided)
}

resource "aws_secretsmanager_secret" "this" {
  for_each                = local.names
  name                    = "${var.name}/${each.value}"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "generated" {
  for_each      = nonsensitive(toset(keys(var.generated)))
  secret_id     = aws_secretsmanager_secret.this[each.value].id
  secret_string = var.generated[each.value]
}
