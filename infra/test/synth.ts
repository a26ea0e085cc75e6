import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FjordStack } from '../lib/fjord-stack.ts';
import { settingsFromContext } from '../lib/settings.ts';

/** A certificate for tests: synthesis refuses to serve the API without one unless told insecureHttp. */
export const TEST_CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/test';

/**
 * Synthesizes the Fjord stack as `cdk synth -c certificateArn=... -c key=value ...` would, without
 * touching the disk; `certificateArn: ''` leaves the certificate out.
 */
export function synthFjord(context: Record<string, string> = {}): { stack: FjordStack; template: Template } {
  const app = new App({ context: { certificateArn: TEST_CERTIFICATE_ARN, ...context } });
  const settings = settingsFromContext((key) => app.node.tryGetContext(key));
  const stack = new FjordStack(app, 'Fjord', { settings });
  return { stack, template: Template.fromStack(stack) };
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

export function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every identity-policy statement attached to the role with the given logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => list(p.Properties.Roles).some((r: { Ref?: string }) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** Every identity-policy statement in the template: standalone policies and roles' inline policies. */
export function allStatements(template: Template): Statement[] {
  const standalone = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
  const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
  const inline = Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) =>
    list(r.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement),
  );
  return [...standalone, ...managed, ...inline];
}

/** The logical id of an L2 construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}
