output "vpc_id" {
  value = aws_vpc.this.id
}

output "vpc_cidr_block" {
  value = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "The load balancer's subnets."
  value       = aws_subnet.public[*].id
}

output "private_app_subnet_ids" {
  description = "ECS tasks' subnets: no public addresses, egress through NAT."
  value       = aws_subnet.private_app[*].id
}

output "private_data_subnet_ids" {
  description = "RDS and ElastiCache subnets: no route out of the VPC."
  value       = aws_subnet.private_data[*].id
}
