// The HTTP server: Fastify with a zod schema on every route, one JSON error shape, and
// an OpenAPI document generated from those same schemas at /openapi.json.
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { TributaryNode } from '../node/node.ts';
import { clientErrorHandler, errorHandler } from './errors.ts';
import { installRateLimits } from './rateLimitHooks.ts';
import { installSecurityHeaders } from './securityHeaders.ts';
import { actionRoutes } from './routes/actions.ts';
import { attributionRoutes } from './routes/attribution.ts';
import { baseModelRoutes } from './routes/baseModels.ts';
import { blobRoutes } from './routes/blobs.ts';
import { chainRoutes } from './routes/chain.ts';
import { datanetRoutes } from './routes/datanets.ts';
import { devRoutes } from './routes/dev.ts';
import { earningsRoutes } from './routes/earnings.ts';
import { epochRoutes } from './routes/epochs.ts';
import { inferenceRoutes } from './routes/inferences.ts';
import { infoRoutes } from './routes/info.ts';
import { jobRoutes } from './routes/jobs.ts';
import { logRoutes } from './routes/log.ts';
import { logSearchRoutes } from './routes/logSearch.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { logging } from './logging.ts';
import { modelRoutes } from './routes/models.ts';
import { openAiRoutes } from './routes/openai.ts';
import { webRoutes } from './routes/web.ts';

export interface ServerOptions {
  logger?: boolean;
}

export async function buildServer(node: TributaryNode, opts: ServerOptions = {}): Promise<FastifyInstance> {
  // Inline content travels base64 inside JSON: allow for the 4/3 expansion plus the envelope.
  const bodyLimit = Math.ceil((node.config.maxContentBytes * 4) / 3) + 256 * 1024;
  // Slow clients (slow-loris): headers must arrive within headersTimeoutMs and the whole request,
  // body included, within bodyTimeoutMs (long enough for a model upload); Node checks both
  // every connectionsCheckingInterval, and answers 408 or closes the connection.
  const { headersTimeoutMs, bodyTimeoutMs } = node.config;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit,
    requestTimeout: Math.max(bodyTimeoutMs, headersTimeoutMs),
    clientErrorHandler,
    frameworkErrors: errorHandler,
    // Behind a load balancer: the client address (rate limits, logs) comes from
    // X-Forwarded-For, but only when the request came through a proxy we were told to trust.
    ...(node.config.trustProxy.length > 0 ? { trustProxy: node.config.trustProxy } : {}),
    http: { headersTimeout: headersTimeoutMs, connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(headersTimeoutMs / 4))) },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', field: 'url', message: `no route ${req.method} ${req.url}` } }),
  );

  // Headers first, so that even an early answer (a 429) carries them.
  await installSecurityHeaders(app);
  installRateLimits(app, node.config);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Tributary node API',
        version: '0.1.0',
        description: 'A verifiable contribution log with datanets. See docs/api.md and docs/protocol.md.',
      },
    },
    transform: jsonSchemaTransform,
  });

  // Before every route: their hooks (metrics, request logs) apply to routes registered after them.
  await app.register(logging(node));
  await app.register(metricsRoutes(node));
  await app.register(infoRoutes(node));
  await app.register(logRoutes(node));
  await app.register(logSearchRoutes(node));
  await app.register(actionRoutes(node));
  await app.register(blobRoutes(node));
  await app.register(datanetRoutes(node));
  await app.register(attributionRoutes(node.attribution));
  await app.register(modelRoutes(node));
  await app.register(baseModelRoutes(node));
  await app.register(jobRoutes(node));
  await app.register(openAiRoutes(node));
  await app.register(inferenceRoutes(node));
  await app.register(earningsRoutes(node));
  await app.register(epochRoutes(node));
  await app.register(chainRoutes(node));
  await app.register(webRoutes());
  await app.register(devRoutes(node));

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
