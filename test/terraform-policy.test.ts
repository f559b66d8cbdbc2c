/**
 * deploy/terraform's security properties, checked on the HCL itself (parsed with @cdktf/hcl2json;
 * no provider can be downloaded here, so no `terraform validate` or plan): each environment's module
 * tree is instantiated and `var.` references are followed to what dev and prod actually pass. A
 * change that opens a task or a data store to the internet, turns encryption or backups off, puts a
 * secret in a variable default or a task's plain environment, gives a task a public address,
 * detaches the WAF, or widens the ingest gateway's rights fails here. `terraform fmt -check` runs
 * too where terraform is installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { CONFIG_VARIABLES } from '#src/config.ts';
import { ROOT } from './support/processes.ts';
import { block, findAll, instantiate, localsOf, readFolder, resolve, tfFolders, UNRESOLVED, type Body, type Found, type Instance } from './support/terraform.ts';

const TF = path.join(ROOT, 'deploy/terraform');
const environments: Record<'dev' | 'prod', Instance[]> = {
  dev: await instantiate(path.join(TF, 'environments/dev')),
  prod: await instantiate(path.join(TF, 'environments/prod')),
};
const bootstrap = await instantiate(path.join(TF, 'bootstrap'));
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|PRIVATE_KEY|ENCRYPTION_KEY|DATABASE_URL|REDIS_URL|SMTP_URL|RPC_URL/i;

const inModule = (found: Found | Instance, name: string) => ('instance' in found ? found.instance : found).folder.dir.endsWith(`modules/${name}`);
const each = (check: (instances: Instance[], env: string) => void) => {
  for (const [env, instances] of Object.entries(environments)) check(instances, env);
};
const services = (instances: Instance[]) => instances.filter((instance) => inModule(instance, 'ecs-service'));
/** The ecs-service instance running a role (its command's first word). */
const role = (instances: Instance[], command: string) => services(instances).find((instance) => (instance.args.command as string[])[0] === command)!;

test('the layout: the six modules, dev and prod on an S3 backend with a DynamoDB lock that bootstrap creates', async () => {
  for (const name of ['vpc', 'ecs-service', 'rds-postgres', 'elasticache', 's3-cdn', 'secrets']) {
    assert.ok((await tfFolders(path.join(TF, 'modules', name))).length === 1, `modules/${name}`);
  }
  const lockTable = findAll(bootstrap, 'aws_dynamodb_table')[0]!.body;
  assert.equal(lockTable.hash_key, 'LockID');
  assert.equal(block(lockTable, 'server_side_encryption').enabled, true);
  for (const env of ['dev', 'prod']) {
    const backend = block(block((await readFolder(path.join(TF, 'environments', env))).terraform.find((t) => t.backend)!, 'backend'), 's3');
    assert.equal(backend.encrypt, true, env);
    assert.equal(backend.dynamodb_table, lockTable.name, `${env} locks with the table bootstrap creates`);
    assert.equal(backend.key, `veridity/${env}/terraform.tfstate`);
  }
});

test('nothing is open to the internet but the load balancer on 443 (and 80, which only redirects)', () => {
  each((instances, env) => {
    const open: number[] = [];
    for (const type of ['aws_vpc_security_group_ingress_rule', 'aws_security_group_rule']) {
      for (const rule of findAll(instances, type)) {
        if (type === 'aws_security_group_rule' && rule.body.type !== 'ingress') continue;
        const where = `${env} ${rule.instance.path}.${rule.name}`;
        if (rule.body.referenced_security_group_id !== undefined || rule.body.source_security_group_id !== undefined) continue;
        const cidrs = [rule.body.cidr_ipv4, rule.body.cidr_ipv6, ...((rule.body.cidr_blocks as unknown[]) ?? [])].filter((c) => c !== undefined).map((c) => resolve(rule.instance, c));
        assert.ok(cidrs.length > 0 && cidrs.every((c) => typeof c === 'string' && !c.includes('${')), `${where}: an ingress rule must name a security group or a literal range`);
        if (!cidrs.some((c) => c === '0.0.0.0/0' || c === '::/0')) continue;
        assert.ok(inModule(rule, 'alb-waf') && rule.body.security_group_id === '${aws_security_group.alb.id}', `${where} opens a non-load-balancer group to the internet`);
        const port = resolve(rule.instance, rule.body.from_port);
        assert.equal(port, resolve(rule.instance, rule.body.to_port), where);
        assert.ok(port === 443 || port === 80, `${where}: port ${String(port)}`);
        open.push(port);
      }
    }
    assert.deepEqual(open.sort(), [443, 80].sort(), `${env}: the load balancer's 443 and 80`);
    for (const group of findAll(instances, 'aws_security_group')) assert.equal(group.body.ingress, undefined, `${env} ${group.name}: rules as their own resources, so they are checked here`);
    const [alb] = findAll(instances, 'aws_lb');
    assert.equal(alb!.body.internal, false);
    const listeners = findAll(instances, 'aws_lb_listener');
    const http = listeners.find((l) => l.body.port === 80)!;
    assert.equal(block(http.body, 'default_action').type, 'redirect', 'port 80 only redirects');
    assert.equal(block(block(http.body, 'default_action'), 'redirect').protocol, 'HTTPS');
    const https = listeners.find((l) => l.body.port === 443)!;
    assert.equal(https.body.protocol, 'HTTPS');
    assert.match(String(https.body.ssl_policy), /^ELBSecurityPolicy-TLS13-/);
    // The data stores accept their port from the tasks' security groups only.
    for (const rule of findAll(instances, 'aws_vpc_security_group_ingress_rule').filter((r) => inModule(r, 'rds-postgres') || inModule(r, 'elasticache'))) {
      assert.ok(rule.body.referenced_security_group_id, `${env} ${rule.instance.path}.${rule.name}`);
    }
  });
});

test('RDS: PostgreSQL 17, encrypted with its KMS key, automated backups, TLS only, private; Multi-AZ and deletion protection in prod', () => {
  each((instances, env) => {
    const databases = findAll(instances, 'aws_db_instance');
    assert.equal(databases.length, 1);
    for (const { instance, body } of databases) {
      assert.equal(body.engine, 'postgres');
      assert.equal(resolve(instance, body.engine_version), '17');
      assert.equal(body.storage_encrypted, true, env);
      assert.match(String(body.kms_key_id), /^\$\{aws_kms_key\.\w+\.arn\}$/);
      assert.equal(findAll([instance], 'aws_kms_key')[0]!.body.enable_key_rotation, true);
      const retention = resolve(instance, body.backup_retention_period);
      assert.ok(typeof retention === 'number' && retention > 0, `${env}: backup retention ${String(retention)}`);
      assert.equal(body.publicly_accessible, false);
      assert.equal(body.skip_final_snapshot, false);
      assert.match(String(resolve(instance, instance.args.subnet_ids)), /private_data_subnet_ids/);
      const parameters = (findAll([instance], 'aws_db_parameter_group')[0]!.body.parameter as Body[]);
      assert.ok(parameters.some((p) => p.name === 'rds.force_ssl' && p.value === '1'), 'TLS required');
      if (env === 'prod') {
        assert.equal(resolve(instance, body.multi_az), true, 'prod is Multi-AZ');
        assert.equal(resolve(instance, body.deletion_protection), true);
      }
    }
  });
});

test('ElastiCache: TLS in transit (required), encrypted at rest with a KMS key, an AUTH token generated by the stack, private', () => {
  each((instances, env) => {
    const [redis] = findAll(instances, 'aws_elasticache_replication_group');
    const { instance, body } = redis!;
    assert.equal(body.transit_encryption_enabled, true, env);
    assert.equal(body.transit_encryption_mode, 'required');
    assert.equal(body.at_rest_encryption_enabled, true);
    assert.match(String(body.kms_key_id), /^\$\{aws_kms_key\.\w+\.arn\}$/);
    assert.match(String(resolve(instance, body.auth_token)), /^\$\{random_password\.\w+\.result\}$/);
    assert.match(String(resolve(instance, instance.args.subnet_ids)), /private_data_subnet_ids/);
  });
});

test('S3: every bucket versioned, encrypted with KMS, public access blocked, TLS only (the state bucket too)', () => {
  for (const [env, instances] of [...Object.entries(environments), ['bootstrap', bootstrap] as const]) {
    const buckets = findAll(instances, 'aws_s3_bucket');
    assert.ok(buckets.length > 0, env);
    for (const bucket of buckets) {
      const where = `${env} ${bucket.instance.path}.${bucket.name}`;
      const configOf = (type: string) => {
        const found = findAll([bucket.instance], type).find(({ body }) => body.bucket === `\${aws_s3_bucket.${bucket.name}.id}` || (body.for_each === `\${aws_s3_bucket.${bucket.name}}` && body.bucket === '${each.value.id}'));
        assert.ok(found, `${where}: no ${type}`);
        return found.body;
      };
      assert.equal(block(configOf('aws_s3_bucket_versioning'), 'versioning_configuration').status, 'Enabled', where);
      const sse = block(block(configOf('aws_s3_bucket_server_side_encryption_configuration'), 'rule'), 'apply_server_side_encryption_by_default');
      assert.equal(sse.sse_algorithm, 'aws:kms', where);
      assert.match(String(sse.kms_master_key_id), /^\$\{aws_kms_key\.\w+\.arn\}$/, where);
      const blocked = configOf('aws_s3_bucket_public_access_block');
      for (const flag of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) assert.equal(blocked[flag], true, `${where}: ${flag}`);
      const policy = configOf('aws_s3_bucket_policy');
      const document = findAll([bucket.instance], 'aws_iam_policy_document', 'data').find((d) => String(policy.policy).includes(`aws_iam_policy_document.${d.name}`))!;
      assert.ok((document.body.statement as Body[]).some((s) => s.effect === 'Deny' && JSON.stringify(s.condition).includes('aws:SecureTransport')), `${where}: TLS only`);
    }
  }
  // CloudFront reads the circuit artifacts through an origin access control, and only them.
  each((instances) => {
    const [distribution] = findAll(instances, 'aws_cloudfront_distribution');
    assert.match(String(block(distribution!.body, 'origin').origin_access_control_id), /aws_cloudfront_origin_access_control/);
    assert.equal(block(distribution!.body, 'default_cache_behavior').viewer_protocol_policy, 'redirect-to-https');
    const bucketPolicy = findAll(instances, 'aws_iam_policy_document', 'data').find((d) => inModule(d, 's3-cdn') && d.name === 'bucket')!;
    const cloudfront = block(block(bucketPolicy.body, 'dynamic'), 'statement');
    const grant = block(cloudfront, 'content');
    assert.deepEqual(grant.actions, ['s3:GetObject']);
    assert.deepEqual(grant.resources, ['${each.value.arn}/${var.artifacts_prefix}*']);
    assert.equal(resolve(bucketPolicy.instance, '${var.artifacts_prefix}'), 'circuits/');
  });
});

test('secrets: none in a variable default or a task environment; ECS injects them from Secrets Manager; the encryption key and admin token never enter the state', async () => {
  for (const dir of await tfFolders(TF)) {
    const folder = await readFolder(dir);
    for (const [name, [variable]] of Object.entries(folder.variable)) {
      const where = `${path.relative(TF, dir)} var.${name}`;
      // Secret ARNs (and maps of them) name where a secret is, not the secret.
      const holdsArns = /_arns?$/.test(name) || String(variable!.description).includes('ARN');
      if (/password|secret|token|private_key|encryption_key|auth/i.test(name) && !holdsArns) {
        assert.equal(variable!.sensitive, true, `${where} must be sensitive`);
        assert.ok(!('default' in variable!) || variable!.default === null, `${where} must have no default`);
      }
      assert.doesNotMatch(JSON.stringify(variable!.default ?? ''), /vat_|vk_|whsec_|BEGIN [A-Z ]*PRIVATE KEY|[0-9a-f]{64}/, `${where}: a default that looks like a secret`);
    }
  }
  for (const env of ['dev', 'prod']) {
    const example = await readFile(path.join(TF, 'environments', env, 'terraform.tfvars.example'), 'utf8');
    assert.doesNotMatch(example, /password|secret|token|encryption_key/i, `${env}'s tfvars example names no secret`);
  }

  const known = new Set(CONFIG_VARIABLES);
  each((instances, env) => {
    const ecs = services(instances);
    assert.ok(ecs.length >= 6, 'api, worker, global manager, ingest, migrate, backup');
    // The module refuses secret-looking names in `environment` at plan time.
    const validation = (ecs[0]!.folder.variable.environment![0]!.validation as Body[])[0]!;
    assert.match(String(validation.condition), /PASSWORD\|SECRET\|TOKEN/);
    const container = localsOf(ecs[0]!.folder).app_container as Body;
    assert.match(String(container.secrets), /valueFrom = ref/);
    assert.match(String(container.environment), /var\.environment/);

    for (const service of ecs) {
      const where = `${env} ${service.path}`;
      const caller = localsOf(service.parent!.folder);
      const namesOf = (argument: 'environment' | 'secrets'): Map<string, unknown> => {
        const expression = String(service.args[argument]);
        const names = new Map<string, unknown>();
        for (const [, group] of expression.matchAll(new RegExp(`local\\.${argument}\\.(\\w+)`, 'g'))) {
          for (const [name, value] of Object.entries((caller[argument] as Record<string, Body>)[group!]!)) names.set(name, value);
        }
        for (const [, name, value] of expression.matchAll(/\{\s*([A-Z][A-Z0-9_]*)\s*=\s*([^}]*)\}/g)) names.set(name!, value);
        return names;
      };
      const environment = namesOf('environment');
      const secrets = namesOf('secrets');
      if ((service.args.command as string[])[0] === 'ingest') {
        // The gateway holds no key and cannot reach the owner's role (its own test below).
        assert.ok(environment.size > 0 && secrets.has('INGEST_DATABASE_URL'), where);
        for (const name of ['DATABASE_URL', 'VERIDITY_ENCRYPTION_KEY', 'VERIDITY_ADMIN_TOKEN', 'SMTP_URL']) assert.ok(!secrets.has(name), `${where} must not receive ${name}`);
        assert.ok(!environment.has('BACKUP_S3_BUCKET'), `${where}: the backups are not the gateway's`);
      } else {
        assert.ok(environment.size > 0 && secrets.has('DATABASE_URL') && secrets.has('VERIDITY_ENCRYPTION_KEY'), where);
      }
      for (const name of environment.keys()) {
        assert.ok(known.has(name) || name.startsWith('OTEL_'), `${where}: ${name} is not a configuration variable`);
        assert.doesNotMatch(name, SECRET_NAME, `${where}: ${name} is a secret in the plain environment`);
      }
      for (const [name, value] of secrets) {
        assert.ok(known.has(name), `${where}: secret ${name} is not a configuration variable`);
        assert.match(String(value), /module\.secrets\.arns\[/, `${where}: ${name} comes from Secrets Manager`);
      }
    }
    const apiSecrets = String(role(instances, 'serve').args.secrets);
    assert.match(apiSecrets, /local\.secrets\.api/);
    assert.ok('VERIDITY_ADMIN_TOKEN' in ((localsOf(role(instances, 'serve').parent!.folder).secrets as Record<string, Body>).api!));

    const secretsModule = instances.find((instance) => inModule(instance, 'secrets'))!;
    const operatorProvided = String(secretsModule.args.operator_provided);
    for (const name of ['VERIDITY_ENCRYPTION_KEY', 'VERIDITY_ADMIN_TOKEN']) {
      assert.ok(operatorProvided.includes(`"${name}"`), `${name} is put by the operator`);
      assert.ok(!(name in (secretsModule.args.generated as Body)), `${name} must not be generated into the state`);
    }
    assert.equal(secretsModule.folder.variable.generated![0]!.sensitive, true);
  });
});

test('the ingest gateway: its own service behind the load balancer on /ingest/v1/proofs only, as veridity_ingest (a generated password the migrate task sets), allowed to add objects under evidence/ and nothing else', () => {
  each((instances, env) => {
    const ingest = role(instances, 'ingest');
    assert.ok(ingest, `${env}: an ingest service`);
    assert.equal(resolve(ingest, '${var.run_as_service}'), true);
    assert.equal(ingest.args.target_group_arn, '${module.alb.ingest_target_group_arn}');
    assert.deepEqual(ingest.args.ingress_security_group_ids, ['${module.alb.security_group_id}'], 'reached from the load balancer only');

    // The load balancer forwards submissions alone; enrollment and the CRLs stay on the API.
    const alb = instances.find((instance) => inModule(instance, 'alb-waf'))!;
    assert.equal(alb.folder.output.ingest_target_group_arn![0]!.value, '${aws_lb_target_group.this["ingest"].arn}');
    const forwards = findAll([alb], 'aws_lb_listener_rule').filter((rule) => block(rule.body, 'action').type === 'forward');
    assert.deepEqual(forwards.map((rule) => [block(block(rule.body, 'condition'), 'path_pattern').values, block(rule.body, 'action').target_group_arn]), [[['/ingest/v1/proofs'], '${aws_lb_target_group.this["ingest"].arn}']]);

    // Its credential: veridity_ingest with a password of its own, given to the gateway and to migrate (which sets it).
    const secretsModule = instances.find((instance) => inModule(instance, 'secrets'))!;
    const url = String((secretsModule.args.generated as Body).INGEST_DATABASE_URL);
    const password = /^postgres:\/\/veridity_ingest:\$\{(random_password\.\w+)\.result\}@/.exec(url)?.[1];
    assert.ok(password, url);
    assert.ok(!String((secretsModule.args.generated as Body).DATABASE_URL).includes(password), "not the owner's password");
    const stackSecrets = localsOf(ingest.parent!.folder).secrets as Record<string, Body>;
    assert.deepEqual(Object.keys(stackSecrets.ingest!).sort(), ['INGEST_DATABASE_URL', 'REDIS_URL']);
    assert.match(String(role(instances, 'migrate').args.secrets), /local\.secrets\.migrate/);
    assert.deepEqual(Object.keys(stackSecrets.migrate!), ['INGEST_DATABASE_URL']);

    // Its task role: PutObject under evidence/ (and the data key that needs), no read, list or delete.
    const policies = ingest.args.task_policies as Body;
    const names = Object.values(policies).map((json) => /^\$\{data\.aws_iam_policy_document\.(\w+)\.json\}$/.exec(String(json))?.[1]);
    assert.deepEqual(names, ['ingest_objects']);
    const document = findAll([ingest.parent!], 'aws_iam_policy_document', 'data').find((d) => d.name === 'ingest_objects')!;
    assert.equal(block(document.body, 'dynamic'), undefined);
    assert.deepEqual(
      (document.body.statement as Body[]).map((statement) => [statement.actions, statement.resources]),
      [
        [['s3:PutObject'], ['${module.storage.objects_bucket_arn}/evidence/*']],
        [['kms:GenerateDataKey'], ['${module.storage.kms_key_arn}']],
      ],
    );

    // The data stores it needs let it in: PostgreSQL and Redis (per-agent rate limits).
    const stack = ingest.parent!.folder;
    assert.ok((stack.module.postgres![0]!.allowed_security_group_ids as string[]).includes('${module.ingest.security_group_id}'));
    assert.ok((stack.module.redis![0]!.allowed_security_group_ids as string[]).includes('${module.ingest.security_group_id}'));
  });
});

test('tasks run in the private application subnets without public addresses; the data subnets have no route out', () => {
  each((instances, env) => {
    for (const { instance, name, body } of [...findAll(instances, 'aws_ecs_service'), ...findAll(instances, 'aws_scheduler_schedule')]) {
      const network = name === 'this' && body.network_configuration ? block(body, 'network_configuration') : block(block(block(body, 'target'), 'ecs_parameters'), 'network_configuration');
      assert.equal(network.assign_public_ip, false, `${env} ${instance.path}.${name}`);
      assert.equal(resolve(instance, network.subnets), '${module.vpc.private_app_subnet_ids}', `${env} ${instance.path}.${name}`);
    }
    const vpc = instances.find((instance) => inModule(instance, 'vpc'))!;
    assert.equal(vpc.folder.output.private_app_subnet_ids![0]!.value, '${aws_subnet.private_app[*].id}');
    assert.equal(vpc.folder.output.private_data_subnet_ids![0]!.value, '${aws_subnet.private_data[*].id}');
    for (const subnet of ['private_app', 'private_data']) assert.equal(vpc.folder.resource.aws_subnet![subnet]![0]!.map_public_ip_on_launch, false);
    const routes = vpc.folder.resource.aws_route!;
    for (const [name, [route]] of Object.entries(routes)) {
      if (String(route!.route_table_id).includes('private_app')) assert.ok(route!.nat_gateway_id && !route!.gateway_id, `${name}: application subnets leave through NAT only`);
      assert.ok(!String(route!.route_table_id).includes('private_data'), `${name}: the data subnets have no route out`);
    }
    for (const ecs of findAll(instances, 'aws_ecs_task_definition')) {
      const container = localsOf(ecs.instance.folder).app_container as Body;
      assert.equal(container.readonlyRootFilesystem, true, 'read-only root file system');
    }
  });
});

test('the WAF web ACL, with a rate-based rule that blocks, is attached to the load balancer', () => {
  each((instances, env) => {
    const [association] = findAll(instances, 'aws_wafv2_web_acl_association');
    assert.ok(association, env);
    assert.ok(association.body.count === undefined && association.body.for_each === undefined, 'attached unconditionally');
    assert.equal(association.body.resource_arn, '${aws_lb.this.arn}');
    const aclName = /^\$\{aws_wafv2_web_acl\.(\w+)\.arn\}$/.exec(String(association.body.web_acl_arn))![1]!;
    const acl = association.instance.folder.resource.aws_wafv2_web_acl![aclName]![0]!;
    assert.equal(acl.scope, 'REGIONAL');
    const rateRule = (acl.rule as Body[]).find((rule) => block(rule, 'statement').rate_based_statement);
    assert.ok(rateRule, 'a rate-based rule');
    assert.ok(block(rateRule, 'action').block, 'it blocks');
    const limit = resolve(association.instance, block(block(rateRule, 'statement'), 'rate_based_statement').limit);
    assert.ok(typeof limit === 'number' && limit > 0, `limit ${String(limit)}`);
    assert.ok(findAll(instances, 'aws_wafv2_web_acl_logging_configuration').length === 1);
  });
});

test('autoscaling on CPU and on queue depth, and the alarms, read metrics that are published', async () => {
  const template = await readFile(path.join(TF, 'modules/ecs-service/otel-collector.yaml.tftpl'), 'utf8');
  const source = (await Promise.all(['src/platform/queue/queue-metrics.ts', 'src/modules/ledger/metrics.ts'].map((file) => readFile(path.join(ROOT, file), 'utf8')))).join('\n');
  for (const metric of ['veridity_queue_jobs', 'veridity_queue_oldest_ready_age_seconds', 'veridity_ledger_audit_mismatches']) {
    assert.ok(template.includes(`"^${metric}$"`), `the collector sidecar publishes ${metric}`);
    assert.ok(source.includes(`name: '${metric}'`) || source.includes(`name = '${metric}'`), `${metric} is a metric Veridity has`);
  }
  each((instances, env) => {
    const worker = role(instances, 'worker');
    assert.notEqual(resolve(worker, '${var.queue_scaling}'), null, `${env}: workers scale on queue depth`);
    assert.ok(typeof resolve(worker, '${var.metrics_port}') === 'number', 'the worker task has the collector sidecar');
    const policies = findAll([worker], 'aws_appautoscaling_policy');
    assert.ok(policies.some((p) => block(block(p.body, 'target_tracking_scaling_policy_configuration'), 'predefined_metric_specification')?.predefined_metric_type === 'ECSServiceAverageCPUUtilization'));
    const queue = policies.find((p) => p.name === 'queue_backlog')!;
    assert.match(JSON.stringify(queue.body), /veridity_queue_jobs/);
    assert.ok(findAll(instances, 'aws_ecs_cluster')[0]!.body.setting, 'Container Insights (RunningTaskCount)');
    assert.ok(findAll([role(instances, 'serve')], 'aws_appautoscaling_policy').length >= 1, 'the API scales on CPU');

    const alarms = findAll(instances, 'aws_cloudwatch_metric_alarm').map((a) => JSON.stringify(a.body));
    assert.ok(alarms.some((a) => a.includes('HTTPCode_Target_5XX_Count') && a.includes('RequestCount')), '5xx rate');
    assert.ok(alarms.some((a) => a.includes('TargetResponseTime') && a.includes('"p99"')), 'p99 latency');
    assert.ok(alarms.some((a) => a.includes('veridity_queue_oldest_ready_age_seconds')), 'queue age');
    assert.ok(alarms.some((a) => a.includes('veridity_ledger_audit_mismatches')), 'ledger audit mismatches');
  });
});

test('IAM: no wildcard actions, wildcard resources only where AWS has no resource-level permission', () => {
  const unscoped = new Set(['ecr:GetAuthorizationToken', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets']);
  for (const instances of [...Object.values(environments), bootstrap]) {
    for (const document of findAll(instances, 'aws_iam_policy_document', 'data')) {
      const statements = [...((document.body.statement as Body[]) ?? []), ...(((block(document.body, 'dynamic')?.statement as Body[]) ?? []).map((d) => block(d, 'content')))];
      for (const statement of statements) {
        if (statement.effect === 'Deny' || String(statement.actions).includes('sts:AssumeRole')) continue;
        const where = `${document.instance.path} ${document.name} ${String(statement.sid)}`;
        // A KMS key policy delegating to the account's IAM is the one kms:* (IAM policies then scope it).
        if (statement.sid === 'AccountAdministers') {
          assert.match(JSON.stringify(statement.principals), /:root/);
          continue;
        }
        const actions = typeof statement.actions === 'string' ? [statement.actions] : (statement.actions as string[]);
        for (const action of actions) assert.doesNotMatch(action, /(^|:)\*$/, `${where}: ${action}`);
        if ((statement.resources as unknown[] | undefined)?.includes('*')) {
          const principals = JSON.stringify(statement.principals ?? '');
          const keyPolicy = principals.includes('cloudfront.amazonaws.com');
          assert.ok(keyPolicy || actions.every((action) => unscoped.has(action)), `${where}: resources "*" for ${actions.join(', ')}`);
        }
      }
    }
  }
  each((instances) => {
    // Each role its own task role: the API cannot delete objects, only the backup task writes backups.
    const objects = findAll(instances, 'aws_iam_policy_document', 'data').find((d) => d.name === 'objects')!.body.for_each as Record<string, { objects: string[]; backups: string[] }>;
    assert.ok(!objects.api!.objects.includes('s3:DeleteObject'));
    for (const [name, grants] of Object.entries(objects)) if (name !== 'backup') assert.deepEqual(grants.backups, [], name);
    const [apiRole] = findAll([role(instances, 'serve')], 'aws_iam_role').filter((r) => r.name === 'task');
    assert.ok(apiRole);
  });
});

const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

test('terraform fmt -check -recursive deploy/terraform', { skip: !terraform && 'terraform is not installed' }, () => {
  const result = spawnSync('terraform', ['fmt', '-check', '-recursive', TF], { encoding: 'utf8' });
  assert.equal(result.status, 0, `not formatted (run terraform fmt -recursive deploy/terraform):\n${result.stdout}`);
});

test('variables are followed through the module calls to what each environment passes', () => {
  const [prod] = findAll(environments.prod, 'aws_db_instance');
  const [dev] = findAll(environments.dev, 'aws_db_instance');
  assert.equal(resolve(dev!.instance, '${var.multi_az}'), false);
  assert.equal(resolve(prod!.instance, '${var.multi_az}'), true);
  assert.equal(resolve(prod!.instance, '${var.backup_retention_days}'), 30);
  assert.equal(resolve(prod!.instance, '${var.no_such_variable}'), UNRESOLVED);
});
