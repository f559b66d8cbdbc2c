output "address" {
  value = aws_db_instance.this.address
}

output "port" {
  value = aws_db_instance.this.port
}

output "database_name" {
  value = aws_db_instance.this.db_name
}

output "username" {
  value = aws_db_instance.this.username
}

output "instance_id" {
  description = "For CloudWatch's AWS/RDS DBInstanceIdentifier dimension."
  value       = aws_db_instance.this.identifier
}

output "security_group_id" {
  value = aws_security_group.this.id
}
