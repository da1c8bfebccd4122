// Structured logs (TRIBUTARY_LOG=1), through Fastify's pino logger: one JSON line per
// request (route pattern, method, URL, status, duration, request id), and one per node
// event that an operator acts on (epoch closed, training job completed, chain posts and
// failures, a batch that did not commit). With the logger off, nothing is written.
// Fastify's own two lines per request ("incoming request", "request completed") are
// silenced by giving every route the level `warn` (errors still log at `error`); a URL no
// route matches still gets them, as the not-found handler is set before this plugin.
// Registered without encapsulation (skip-override) so its hooks see every route.
import type { FastifyPluginAsync } from 'fastify';
import type { TributaryNode } from '../node/node.ts';

export function logging(node: Pick<TributaryNode, 'events' | 'config'>): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = async (app) => {
    // Fastify's stand-in when the logger is off has no level at all.
    if (app.log.level === undefined || app.log.level === 'silent') return;
    const log = app.log;

    app.addHook('onRoute', (route) => {
      route.logLevel ||= 'warn';
    });
    app.addHook('onResponse', async (req, reply) => {
      log.info(
        { reqId: req.id, method: req.method, route: req.routeOptions.url ?? null, url: req.url, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 100) / 100 },
        'request',
      );
    });

    const off = [
      node.events.on('batch', (b) => {
        for (const a of b.accepted) {
          if (a.type === 'CloseEpoch')
            log.info({ event: 'epoch_closed', index: a.index, epoch: a.result.epoch, root: a.result.root, accounts: a.result.accounts, paid: a.result.paid }, 'epoch closed');
          else if (a.type === 'CompleteTrainingJob')
            log.info({ event: 'training_job_completed', index: a.index, job: a.result.job, adapter: a.result.adapter, evalLoss: a.result.evalLoss, baseEvalLoss: a.result.baseEvalLoss }, 'training job completed');
        }
      }),
      node.events.on('commitFailed', (e) => log.error({ event: 'commit_failed', ...e }, 'a batch did not commit; its submissions failed')),
      node.events.on('chainPosted', (p) => log.info({ event: 'chain_posted', ...p }, `chain: ${p.what}`)),
      node.events.on('chainFailed', (e) => {
        const level = e.failures > node.config.readyChainFailures ? 'error' : 'warn';
        log[level]({ event: 'chain_failed', ...e }, 'chain worker pass failed');
      }),
    ];
    app.addHook('onClose', async () => off.forEach((f) => f()));
  };
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
