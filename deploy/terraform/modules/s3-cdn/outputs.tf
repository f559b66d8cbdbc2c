output "objects_bucket_name" {
  value = aws_s3_bucket.this["objects"].id
}

output "objects_bucket_arn" {
  value = aws_s3_bucket.this["objects"].arn
}

output "backups_bucket_name" {
  value = aws_s3_bucket.this["backups"].id
}

output "backups_bucket_arn" {
  value = aws_s3_bucket.this["backups"].arn
}

output "kms_key_arn" {
  value = aws_kms_key.this.arn
}

output "artifacts_cdn_domain_name" {
  description = "https://<this>/circuits/<claim>/<semver>/<file>: the bytes /api/v1/circuits lists, with their SHA-256."
  value       = aws_cloudfront_distribution.artifacts.domain_name
}
