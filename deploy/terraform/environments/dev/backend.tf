# Remote state: an S3 bucket (versioned, encrypted) and a DynamoDB lock table, both made once by
# deploy/terraform/bootstrap. The bucket's name is the account's own, so it is given at init:
#   terraform init -backend-config=bucket=<state bucket> -backend-config=region=<region>
terraform {
  backend "s3" {
    key            = "veridity/dev/terraform.tfstate"
    encrypt        = true
    dynamodb_table = "veridity-terraform-locks"
  }
}
