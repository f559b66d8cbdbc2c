output "arns" {
  description = "Variable name -> secret ARN, for the tasks' `secrets`."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.arn }
}

output "kms_key_arn" {
  value = aws_kms_key.this.arn
}
