import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { logicalId, synthFjord } from './synth.ts';

// One synthesis of the default deployment (with a certificate) for most checks: synthesis is the slow part.
const { stack, template } = synthFjord();

type Listener = { Port: number; Protocol: string; DefaultActions: { Type: string; ForwardConfig?: unknown }[] };
type Rule = { ListenerArn: { Ref: string }; Conditions: { Field: string; PathPatternConfig?: { Values: string[] } }[]; Actions: { Type: string }[] };

function listeners(t = template): Map<string, Listener> {
  return new Map(Object.entries(t.findResources('AWS::ElasticLoadBalancingV2::Listener')).map(([id, r]) => [id, r.Properties]));
}
function rules(t = template): Rule[] {
  return Object.values(t.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map((r) => r.Properties);
}

/** ALB path-pattern semantics: `*` any characters, `?` one, case-sensitive, the whole path. */
function albMatches(pattern: string, path: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(path);
}

/** Whether the public listener sends `path` to the control plane. */
function forwarded(t: typeof template, path: string): boolean {
  const [[listenerId, listener]] = [...listeners(t)].filter(([, l]) => l.Port !== 80 || l.DefaultActions[0].Type !== 'redirect');
  const rule = rules(t)
    .filter((r) => r.ListenerArn.Ref === listenerId)
    .find((r) => r.Conditions.some((c) => c.PathPatternConfig?.Values.some((v) => albMatches(v, path))));
  return (rule?.Actions ?? listener.DefaultActions)[0].Type === 'forward';
}

const INTERNAL_SPELLINGS = [
  '/internal',
  '/internal/',
  '/internal/clusters/c_1/config',
  '/INTERNAL/clusters/c_1/config',
  '/Internal/clusters/c_1/config',
  '/%69nternal/clusters/c_1/config',
  '/%2finternal/clusters/c_1/config',
  '//internal/clusters/c_1/config',
  '/./internal/clusters/c_1/config',
  '/internal;x/clusters/c_1/config',
  '/internal/clusters/c_1/config/extra/segments',
];

describe('HTTPS by default', () => {
  it('has no listener on port 80 except a redirect to 443', () => {
    const onPort80 = [...listeners()].filter(([, l]) => l.Port === 80);
    expect(onPort80).toHaveLength(1);
    const [[id, listener]] = onPort80;
    expect(listener.DefaultActions).toEqual([
      expect.objectContaining({ Type: 'redirect', RedirectConfig: expect.objectContaining({ Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' }) }),
    ]);
    expect(rules().filter((r) => r.ListenerArn.Ref === id)).toEqual([]);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    expect(envOf('FJORD_SECURE_COOKIES')).toBe('true');
  });

  it('serves plain HTTP on port 80 only when insecureHttp is set', () => {
    const insecure = synthFjord({ certificateArn: '', insecureHttp: 'true' }).template;
    expect([...listeners(insecure).values()].map((l) => [l.Port, l.Protocol])).toEqual([[80, 'HTTP']]);
    expect(forwarded(insecure, '/v1/clusters')).toBe(true);
    expect(forwarded(insecure, '/internal/clusters/c_1/config')).toBe(false);
    expect(() => synthFjord({ certificateArn: '' })).toThrow(/certificateArn=\(unset\)/);
  });
});

describe('the public listener', () => {
  it('forwards the public API and answers 404 to everything else', () => {
    for (const path of ['/v1/clusters', '/v1/clusters/c_1/api-keys', '/openapi.json', '/healthz']) expect(forwarded(template, path), path).toBe(true);
    for (const path of ['/', '/metrics', '/V1/clusters']) expect(forwarded(template, path), path).toBe(false);
    const [, https] = [...listeners()].find(([, l]) => l.Port === 443)!;
    expect(https.DefaultActions).toEqual([
      expect.objectContaining({ Type: 'fixed-response', FixedResponseConfig: expect.objectContaining({ StatusCode: '404', ContentType: 'application/problem+json' }) }),
    ]);
  });

  it.each(INTERNAL_SPELLINGS)('does not forward %s', (path) => {
    expect(forwarded(template, path)).toBe(false);
  });
});

describe('the Kafka port', () => {
  const kafkaCidrs = (t: typeof template) =>
    Object.values(t.findResources('AWS::EC2::SecurityGroup'))
      .flatMap((g) => g.Properties.SecurityGroupIngress ?? [])
      .filter((r: { FromPort?: number }) => r.FromPort === 9092)
      .map((r: { CidrIp?: string }) => r.CidrIp)
      .filter(Boolean);

  it('is open to the private range 10.0.0.0/8 by default, never 0.0.0.0/0', () => {
    expect(kafkaCidrs(template)).toEqual(['10.0.0.0/8']);
  });

  it('follows the configured CIDR', () => {
    expect(kafkaCidrs(synthFjord({ kafkaAllowedCidr: '198.51.100.0/24' }).template)).toEqual(['198.51.100.0/24']);
  });
});

function containerOf(family: string) {
  const [def] = Object.values(template.findResources('AWS::ECS::TaskDefinition', { Properties: { Family: family } }));
  return def.Properties.ContainerDefinitions[0] as {
    Environment: { Name: string; Value: unknown }[];
    Secrets?: { Name: string; ValueFrom: unknown }[];
  };
}
function envOf(name: string): unknown {
  return containerOf('fjord-control-plane').Environment.find((e) => e.Name === name)?.Value;
}

describe('the server secret', () => {
  it('is generated in Secrets Manager, 64 base64 characters, and kept when the stack goes', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({
        Description: Match.stringLikeRegexp('FJORD_SECRET_KEY'),
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('reaches the control plane as an ECS secret, never as environment', () => {
    const container = containerOf('fjord-control-plane');
    expect(container.Environment.map((e) => e.Name)).not.toContain('FJORD_SECRET_KEY');
    expect(container.Secrets).toContainEqual({ Name: 'FJORD_SECRET_KEY', ValueFrom: { Ref: logicalId(stack, stack.serverSecret.secret) } });
  });

  it('trusts the load balancer, inside the VPC, for client addresses', () => {
    expect(envOf('FJORD_TRUST_PROXY')).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.network.vpc), 'CidrBlock'] });
  });
});

describe('the broker task definition', () => {
  it('carries no secret in environment', () => {
    const names = containerOf('fjord-broker').Environment.map((e) => e.Name);
    expect(names.filter((n) => /TOKEN|SECRET|PASSWORD|KEY|DATABASE/i.test(n))).toEqual([]);
  });
});
