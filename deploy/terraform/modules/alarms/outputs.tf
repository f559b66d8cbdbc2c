output "topic_arn" {
  description = "Subscribe on-call tooling (PagerDuty, Opsgenie, chat) here."
  value       = aws_sns_topic.alarms.arn
}
