import { describe, expect, it } from 'vitest';
import { allStatements, list, logicalId, statementsOfRole, synthFjord, type Statement } from './synth.ts';

const { stack, template } = synthFjord();

const bucket = logicalId(stack, stack.segments.bucket);
const bucketArn = { 'Fn::GetAtt': [bucket, 'Arn'] };
const segmentObjects = { 'Fn::Join': ['', [bucketArn, '/clusters/*']] };
const clusterRoles = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/fjord/Fjord/fjord-broker-*']],
};
const brokerTokenSecrets = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:Fjord/brokers/*'],
  ],
};

/**
 * The only actions on S3 or ECS allowed on Resource "*", each because AWS offers no resource-level
 * permission for it (see the comments next to the statements in lib/control-plane.ts):
 * - ecs:RegisterTaskDefinition, ecs:DeregisterTaskDefinition, ecs:DescribeTaskDefinition;
 * - ecs:ListTasks, ecs:ListServices (confined to the cluster by an ecs:cluster condition).
 */
const STAR_RESOURCE_EXCEPTIONS = new Set([
  'ecs:RegisterTaskDefinition',
  'ecs:DeregisterTaskDefinition',
  'ecs:DescribeTaskDefinition',
  'ecs:ListTasks',
  'ecs:ListServices',
]);

function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((s) => list(s.Action)).sort();
}

function bySid(statements: Statement[], sid: string): Statement {
  const found = statements.find((s) => s.Sid === sid);
  expect(found, sid).toBeDefined();
  return found!;
}

describe('every policy', () => {
  const statements = allStatements(template);

  it('grants no S3 or ECS action on Resource "*" except the documented ones', () => {
    const offenders = statements
      .filter((s) => s.Effect === 'Allow' && list(s.Resource).includes('*'))
      .flatMap((s) => list(s.Action))
      .filter((a) => /^(s3|ecs):/.test(a) && !STAR_RESOURCE_EXCEPTIONS.has(a));
    expect(offenders).toEqual([]);
  });

  it('uses no wildcard actions', () => {
    expect(actionsOf(statements).filter((a) => a.includes('*'))).toEqual([]);
  });

  it('confines the List calls allowed on "*" to the Fjord cluster', () => {
    const listing = bySid(statements, 'ListBrokersInCluster');
    expect(list(listing.Action).sort()).toEqual(['ecs:ListServices', 'ecs:ListTasks']);
    expect(listing.Condition).toEqual({
      ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [logicalId(stack, stack.cluster), 'Arn'] } },
    });
  });
});

describe('broker roles', () => {
  const boundary = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).find((p) =>
    String(p.Properties.Description).startsWith('Fjord broker roles'),
  );

  it('are bounded by a policy of objects below the clusters/ prefix and listing only that prefix', () => {
    const statements = boundary!.Properties.PolicyDocument.Statement as Statement[];
    expect(actionsOf(statements)).toEqual([
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:ListMultipartUploadParts',
      's3:PutObject',
    ]);
    expect(bySid(statements, 'SegmentObjects').Resource).toEqual(segmentObjects);
    const listing = bySid(statements, 'ListSegmentPrefix');
    expect(listing.Resource).toEqual(bucketArn);
    expect(listing.Condition).toEqual({ StringLike: { 's3:prefix': ['clusters/*'] } });
  });

  it("leave the template task role empty: brokers run as their cluster's own role", () => {
    expect(statementsOfRole(template, logicalId(stack, stack.broker.taskRole))).toEqual([]);
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Fjord broker template: no permissions (each cluster runs as its own role)',
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' } }],
      },
    });
  });
});

describe('control plane task role', () => {
  const statements = statementsOfRole(template, logicalId(stack, stack.controlPlane.taskRole));
  const cluster = logicalId(stack, stack.cluster);
  const ecsArn = (suffix: unknown[]) => ({
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ...suffix],
    ],
  });
  const brokerFamilies = [ecsArn([':task-definition/fjord-broker:*']), ecsArn([':task-definition/fjord-broker-*:*'])];

  it('runs broker task definitions only in the Fjord cluster', () => {
    const run = bySid(statements, 'RunBrokerTasks');
    expect(run.Action).toBe('ecs:RunTask');
    expect(run.Resource).toEqual(brokerFamilies);
    expect(run.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [cluster, 'Arn'] } } });
  });

  it('stops and describes only tasks of the Fjord cluster', () => {
    const tasks = bySid(statements, 'ManageBrokerTasks');
    expect(list(tasks.Action).sort()).toEqual(['ecs:DescribeTasks', 'ecs:StopTask']);
    expect(tasks.Resource).toEqual(ecsArn([':task/', { Ref: cluster }, '/*']));
  });

  it('creates, updates, deletes and describes only fjord-* services of the Fjord cluster', () => {
    const services = bySid(statements, 'ManageBrokerServices');
    expect(list(services.Action).sort()).toEqual([
      'ecs:CreateService',
      'ecs:DeleteService',
      'ecs:DescribeServices',
      'ecs:UpdateService',
    ]);
    expect(services.Resource).toEqual(ecsArn([':service/', { Ref: cluster }, '/fjord-*']));
  });

  it('registers and deregisters task definitions (AWS allows no narrower resource)', () => {
    const defs = bySid(statements, 'BrokerTaskDefinitions');
    expect(list(defs.Action).sort()).toEqual([
      'ecs:DeregisterTaskDefinition',
      'ecs:DescribeTaskDefinition',
      'ecs:RegisterTaskDefinition',
    ]);
  });

  it('passes only the broker task and execution roles, and only to ECS tasks', () => {
    const pass = statements.filter((s) => list(s.Action).includes('iam:PassRole'));
    expect(pass).toHaveLength(1);
    expect(pass[0].Resource).toEqual([
      { 'Fn::GetAtt': [logicalId(stack, stack.broker.taskRole), 'Arn'] },
      { 'Fn::GetAtt': [logicalId(stack, stack.broker.executionRole), 'Arn'] },
      clusterRoles,
    ]);
    expect(pass[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });

  it('reads, lists and deletes below the clusters/ prefix of the segment bucket, and writes nothing', () => {
    const s3 = statements.filter((s) => list(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => s.Resource)).toEqual([segmentObjects, bucketArn]);
    expect(actionsOf(s3)).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket']);
    expect(bySid(statements, 'ListSegments').Condition).toEqual({ StringLike: { 's3:prefix': ['clusters/*'] } });
  });

  it("creates, updates and deletes only the stack's broker token secrets", () => {
    const tokens = bySid(statements, 'ManageBrokerTokens');
    expect(list(tokens.Action).sort()).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:TagResource',
    ]);
    expect(tokens.Resource).toEqual(brokerTokenSecrets);
  });

  it('creates cluster broker roles only under the /fjord/Fjord/ path and only with the boundary attached', () => {
    const create = bySid(statements, 'CreateClusterBrokerRoles');
    expect(list(create.Action).sort()).toEqual(['iam:CreateRole', 'iam:PutRolePolicy']);
    expect(create.Resource).toEqual(clusterRoles);
    expect(create.Condition).toEqual({ StringEquals: { 'iam:PermissionsBoundary': { Ref: logicalId(stack, stack.broker.roleBoundary) } } });
    const retire = bySid(statements, 'RetireClusterBrokerRoles');
    expect(list(retire.Action).sort()).toEqual(['iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:TagRole']);
    expect(retire.Resource).toEqual(clusterRoles);
  });

  it('has no permission beyond ECS, S3, the broker token secrets and the cluster broker roles', () => {
    const iamActions = ['iam:CreateRole', 'iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:PassRole', 'iam:PutRolePolicy', 'iam:TagRole'];
    expect(actionsOf(statements).filter((a) => !/^(ecs|s3|secretsmanager):/.test(a) && !iamActions.includes(a))).toEqual([]);
  });
});

describe('execution roles', () => {
  it('let the control plane read the database secret and the server secret, and nothing lets the broker read them', () => {
    const controlPlaneExec = statementsOfRole(
      template,
      logicalId(stack, stack.controlPlane.service.taskDefinition.executionRole!),
    );
    const reads = controlPlaneExec.filter((s) => list(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(reads.map((s) => s.Resource)).toEqual([
      { Ref: logicalId(stack, stack.database.secret) },
      { Ref: logicalId(stack, stack.serverSecret.secret) },
    ]);
    expect(actionsOf(statementsOfRole(template, logicalId(stack, stack.broker.taskRole))).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  it("let ECS read the broker token secrets for a broker task, and nothing else of Secrets Manager", () => {
    const brokerExec = statementsOfRole(template, logicalId(stack, stack.broker.executionRole));
    const secrets = brokerExec.filter((s) => list(s.Action).some((a) => a.startsWith('secretsmanager:')));
    expect(secrets).toEqual([expect.objectContaining({ Sid: 'ReadBrokerTokens', Action: 'secretsmanager:GetSecretValue', Resource: brokerTokenSecrets })]);
  });
});
