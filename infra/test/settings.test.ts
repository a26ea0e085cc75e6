import { describe, expect, it } from 'vitest';
import { defaultSettings, SettingsError, settingsFromContext } from '../lib/settings.ts';

const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
const fromContext = (context: Record<string, unknown>) => settingsFromContext((key) => ({ certificateArn, ...context })[key]);

describe('settingsFromContext', () => {
  it('falls back to the defaults the cost estimate is computed for', () => {
    expect(fromContext({})).toEqual({ ...defaultSettings, region: undefined, certificateArn, publicUrl: undefined });
  });

  it('lets Kafka in from the private range 10.0.0.0/8 only unless a CIDR is configured', () => {
    expect(fromContext({}).network.kafkaAllowedCidr).toBe('10.0.0.0/8');
    expect(fromContext({ kafkaAllowedCidr: '203.0.113.0/24' }).network.kafkaAllowedCidr).toBe('203.0.113.0/24');
  });

  it('refuses to serve the API without a certificate unless insecureHttp is set', () => {
    expect(() => fromContext({ certificateArn: undefined })).toThrow(/certificateArn=\(unset\): expected an ACM certificate ARN.*insecureHttp=true/);
    expect(() => fromContext({ certificateArn: '', insecureHttp: 'false' })).toThrow(SettingsError);
    expect(fromContext({ certificateArn: undefined, insecureHttp: 'true' })).toMatchObject({ certificateArn: undefined, insecureHttp: true });
  });

  it('parses strings given with -c key=value', () => {
    const s = fromContext({ region: 'eu-west-1', controlPlaneTasks: '4', dbMultiAz: 'true', logRetentionDays: '90' });
    expect(s.region).toBe('eu-west-1');
    expect(s.controlPlane.tasks).toBe(4);
    expect(s.database.multiAz).toBe(true);
    expect(s.logRetentionDays).toBe(90);
  });

  it.each([
    ['controlPlaneTasks', '1', 'an integer from 2 to 100'],
    ['controlPlaneTasks', 'two', 'an integer from 2 to 100'],
    ['brokerCpu', '300', 'one of 256, 512, 1024, 2048, 4096'],
    ['dbMultiAz', 'yes', 'true or false'],
    ['kafkaAllowedCidr', 'everyone', 'an IPv4 CIDR'],
    ['region', 'mars', 'an AWS region'],
    ['logRetentionDays', '10', 'one of 1, 3, 5'],
    ['brokerImageTag', 'no spaces', 'an image tag'],
    ['publicUrl', 'fjord.example.com', 'an origin'],
  ])('rejects %s=%s with a message naming the key', (key, value, expected) => {
    expect(() => fromContext({ [key]: value })).toThrow(SettingsError);
    expect(() => fromContext({ [key]: value })).toThrow(`${key}=${value}: expected ${expected}`);
  });

  it('rejects CPU and memory that do not form a Fargate task size', () => {
    expect(() => fromContext({ brokerCpu: '1024', brokerMemoryMiB: '1024' })).toThrow(
      'brokerMemoryMiB=1024: expected a Fargate memory size that goes with 1024 CPU units',
    );
    expect(fromContext({ brokerCpu: '1024', brokerMemoryMiB: '4096' }).broker).toMatchObject({ cpu: 1024, memoryMiB: 4096 });
  });
});
