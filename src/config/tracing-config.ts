import { z } from 'zod';

/** The service's name in traces unless OTEL_SERVICE_NAME says otherwise (package.json's name). */
export const DEFAULT_SERVICE_NAME = 'nest-jwt-auth';

export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** What src/tracing/ starts the SDK with: present only when an OTLP endpoint is set. */
export interface TracingConfig {
  /** Where spans are POSTed: the traces endpoint as given, or the base endpoint + /v1/traces. */
  url: string;
  protocol: OtlpProtocol;
  serviceName: string;
  sampler: TraceSampler;
  /** The ratio of the traceidratio samplers, 0 to 1. */
  samplerRatio: number;
  headers: Record<string, string>;
  resourceAttributes: Record<string, string>;
}

const otlpUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const otlpProtocol = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    if (value === 'grpc') {
      ctx.addIssue({
        code: 'custom',
        message:
          'grpc is not supported: this build ships the OTLP/HTTP exporters only (use http/protobuf or http/json)',
      });
    } else if (!(OTLP_PROTOCOLS as readonly string[]).includes(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be http/protobuf or http/json' });
    }
  })
  .transform((value) => value as OtlpProtocol);

/**
 * `key1=value1,key2=value2`, values percent-encoded (the OpenTelemetry spec's W3C Baggage form),
 * as OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES take it. The message never quotes the
 * input: headers carry API keys.
 */
const keyValueList = (what: string) =>
  z.string().transform((value, ctx) => {
    const pairs: Record<string, string> = {};
    for (const item of value.split(',')) {
      if (item.trim() === '') {
        continue;
      }
      const at = item.indexOf('=');
      const key = at === -1 ? '' : item.slice(0, at).trim();
      let decoded: string | undefined;
      try {
        decoded = at === -1 ? undefined : decodeURIComponent(item.slice(at + 1).trim());
      } catch {
        decoded = undefined;
      }
      if (key === '' || decoded === undefined || !/^[\x21-\x7e]+$/.test(key)) {
        ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of ${what}=value pairs` });
        return z.NEVER;
      }
      pairs[key] = decoded;
    }
    return pairs;
  });

const ratio = z
  .string()
  .trim()
  .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'must be a number between 0 and 1')
  .transform(Number);

/** The OTEL_* variables this service reads (the standard ones: docs/tracing.md). */
export const tracingVariables = {
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList('header').optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList('header').optional(),
  OTEL_SERVICE_NAME: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(256, 'must be at most 256 characters')
    .optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(TRACE_SAMPLERS, { error: () => `must be one of ${TRACE_SAMPLERS.join(', ')}` })
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: ratio.optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList('key').optional(),
};

type TracingVariables = z.output<z.ZodObject<typeof tracingVariables>>;

/** Tracing is off (undefined) unless an OTLP endpoint is set; the traces-specific variables win. */
export function tracingConfigOf(env: TracingVariables): TracingConfig | undefined {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`);
  if (url === undefined) {
    return undefined;
  }
  return {
    url,
    protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    serviceName:
      env.OTEL_SERVICE_NAME ?? env.OTEL_RESOURCE_ATTRIBUTES?.['service.name'] ?? DEFAULT_SERVICE_NAME,
    sampler: env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
    headers: { ...env.OTEL_EXPORTER_OTLP_HEADERS, ...env.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
    resourceAttributes: env.OTEL_RESOURCE_ATTRIBUTES ?? {},
  };
}
