// GET /metrics: the node's metrics in the Prometheus text format, and the HTTP families
// (requests by route pattern, method and status class; latency by route and method).
// Its hooks see every route, so it is registered without encapsulation (skip-override,
// as fastify-plugin does). Route labels are patterns, never raw URLs: a client cannot
// grow the number of series.
import type { FastifyPluginAsync } from 'fastify';
import { EXPOSITION_CONTENT_TYPE, exponentialBuckets } from '../../node/metrics.ts';
import { NodeMetrics } from '../../node/nodeMetrics.ts';
import type { TributaryNode } from '../../node/node.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

export function metricsRoutes(node: TributaryNode): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = async (app) => {
    const metrics = new NodeMetrics(node);
    const requests = metrics.registry.counter('tributary_http_requests_total', 'HTTP requests answered, by route pattern, method and status class', [
      'route',
      'method',
      'status',
    ]);
    const latency = metrics.registry.histogram(
      'tributary_http_request_duration_seconds',
      'Time from request to the end of the response (streams included), by route pattern and method',
      exponentialBuckets(0.0005, 2, 18),
      ['route', 'method'],
    );

    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      const method = METHODS.has(req.method) ? req.method : 'other';
      requests.inc({ route, method, status: `${Math.floor(reply.statusCode / 100)}xx` });
      latency.observe({ route, method }, reply.elapsedTime / 1000);
    });
    app.addHook('onClose', async () => metrics.close());

    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type(EXPOSITION_CONTENT_TYPE).send(metrics.render()));
  };
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
