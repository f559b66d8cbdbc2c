output "security_group_id" {
  value = aws_security_group.alb.id
}

# depends_on: ECS refuses to register a service with a target group no listener forwards to yet.
output "target_group_arn" {
  value      = aws_lb_target_group.this["api"].arn
  depends_on = [aws_lb_listener.https]
}

output "ingest_target_group_arn" {
  value      = aws_lb_target_group.this["ingest"].arn
  depends_on = [aws_lb_listener_rule.ingest]
}

output "alb_arn_suffix" {
  description = "For CloudWatch's AWS/ApplicationELB LoadBalancer dimension."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn_suffix" {
  value = aws_lb_target_group.this["api"].arn_suffix
}

output "dns_name" {
  description = "Point PUBLIC_URL's host at it (a Route 53 alias or a CNAME)."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  value = aws_lb.this.zone_id
}

output "web_acl_arn" {
  value = aws_wafv2_web_acl.this.arn
}
