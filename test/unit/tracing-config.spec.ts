import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { InvalidEnvironmentError, validateEnv } from '../../src/config/env.schema.js';
import { DEFAULT_SERVICE_NAME } from '../../src/config/tracing-config.js';

function envError(raw: Record<string, unknown>): string {
  try {
    validateEnv(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    return (error as Error).message;
  }
  throw new Error('validateEnv accepted an invalid environment');
}

describe('tracing configuration (OTEL_*)', () => {
  it('should be off without an OTLP endpoint, whatever else is set', () => {
    expect(validateEnv({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }).tracing).toBeUndefined();
  });

  it('should default to http/protobuf, parentbased_always_on and the package name', () => {
    const packageName = (JSON.parse(readFileSync('package.json', 'utf8')) as { name: string }).name;
    expect(DEFAULT_SERVICE_NAME).toBe(packageName);
    expect(validateEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      serviceName: packageName,
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      headers: {},
      resourceAttributes: {},
    });
  });

  it('should take the traces-specific endpoint as given, and the variables it reads', () => {
    expect(
      validateEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example/otlp/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, tenant=t1',
        OTEL_SERVICE_NAME: 'auth-eu',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,service.version=1.2',
      }).tracing,
    ).toEqual({
      url: 'https://collector.example/otlp/traces',
      protocol: 'http/json',
      serviceName: 'auth-eu',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      headers: { 'x-api-key': 'abc==', tenant: 't1' },
      resourceAttributes: { 'deployment.environment.name': 'prod', 'service.version': '1.2' },
    });
  });

  it('should refuse grpc, which this build does not ship, saying so', () => {
    expect(
      envError({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toBe(
      'Invalid environment: OTEL_EXPORTER_OTLP_PROTOCOL grpc is not supported: this build ships the OTLP/HTTP exporters only (use http/protobuf or http/json)',
    );
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', 'must be an http:// or https:// URL'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http', 'must be http/protobuf or http/json'],
    ['OTEL_TRACES_SAMPLER', 'sometimes', 'must be one of always_on'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5', 'must be a number between 0 and 1'],
    [
      'OTEL_EXPORTER_OTLP_HEADERS',
      'Authorization Bearer s3cr3t',
      'must be a comma-separated list of header=value pairs',
    ],
  ])('should refuse %s=%s, naming the rule and not the value', (name, value, rule) => {
    const message = envError({ [name]: value });
    expect(message).toContain(`${name} ${rule}`);
    expect(message).not.toContain('s3cr3t');
  });
});
