// The abuse limits on the HTTP API: token buckets per client address (every route), per
// signing account (POST /v1/actions) and per API key (the OpenAI-compatible routes). Past
// its bucket a request is answered 429 with Retry-After in whole seconds, in the error
// shape of its route, before any of the work it asks for. Addresses in `rateExempt` (the
// operator's own; loopback by default) are never limited.
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NodeConfig } from '../node/config.ts';
import type { ErrorPayload } from './errors.ts';
import { RateLimiter } from './rateLimit.ts';

const OPENAI_ROUTES = new Set(['/v1/completions', '/v1/chat/completions']);

type Limit = 'ip' | 'account' | 'api_key';
const WHAT: Record<Limit, string> = { ip: 'client address', account: 'signing account', api_key: 'API key' };

/** The key a client address is limited under: IPv4 as it is, IPv6 by its /64 (one subscriber's block). */
export function clientKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1];
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

export function installRateLimits(app: FastifyInstance, config: Pick<NodeConfig, 'rateIp' | 'rateAccount' | 'rateApiKey' | 'rateExempt'>): void {
  const byIp = new RateLimiter(config.rateIp);
  const byAccount = new RateLimiter(config.rateAccount);
  const byKey = new RateLimiter(config.rateApiKey);
  const exempt = new Set(config.rateExempt.map((a) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? a.slice(7) : a.toLowerCase())));
  const isExempt = (req: FastifyRequest) => exempt.has(/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(req.ip) ? req.ip.slice(7) : req.ip.toLowerCase());
  /** The account a POST /v1/actions is limited under, once its body has been parsed. */
  const signers = new WeakMap<FastifyRequest, string>();

  const refuse = (req: FastifyRequest, reply: FastifyReply, limit: Limit, limiter: RateLimiter, who: string, retryAfter: number) => {
    const message =
      `too many requests for this ${WHAT[limit]} (${who}): this node allows ${limiter.perSecond} a second, in bursts of up to ${limiter.burst}; ` +
      `retry in ${retryAfter} s`;
    void reply.status(429).header('retry-after', String(retryAfter)).type('application/json');
    if (OPENAI_ROUTES.has(req.routeOptions.url ?? ''))
      return reply.send({ error: { message, type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    const field = limit === 'account' ? 'signer' : limit === 'api_key' ? 'authorization' : undefined;
    const error: ErrorPayload['error'] = {
      code: 'rate_limited',
      ...(field ? { field } : {}),
      message,
      details: { limit, perSecond: limiter.perSecond, burst: limiter.burst, retryAfter },
    };
    return reply.send({ error });
  };

  if (!byIp.enabled && !byAccount.enabled && !byKey.enabled) return;

  app.addHook('onRequest', async (req, reply) => {
    if (isExempt(req)) return;
    const ip = clientKey(req.ip);
    const perIp = byIp.take(ip);
    if (!perIp.ok) return refuse(req, reply, 'ip', byIp, ip, perIp.retryAfterSeconds);
    const auth = req.headers.authorization;
    if (auth && OPENAI_ROUTES.has(req.routeOptions.url ?? '')) {
      // Hashed so that the limiter never holds a key; a made-up key is only a 401 and already counted per address.
      const perKey = byKey.take(createHash('sha256').update(auth).digest('hex'));
      if (!perKey.ok) return refuse(req, reply, 'api_key', byKey, 'the bearer key sent', perKey.retryAfterSeconds);
    }
  });

  if (!byAccount.enabled) return;

  // Per account, a request is refused before its signature is checked (that check is the
  // expensive part) but counted only after, when its answer shows the signature held. The
  // `signer` field is unverified: anyone can name any account there. Counting unchecked
  // requests would let a stranger use up someone else's allowance; refusing only shows a
  // caller that the account is over its limit. The per-address limit above stays the
  // first line of defence: it bounds the forged and malformed requests that go uncounted here.
  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST' || req.routeOptions.url !== '/v1/actions' || isExempt(req)) return;
    const signer = (req.body as { signer?: unknown } | undefined)?.signer;
    if (typeof signer !== 'string') return;
    const account = signer.toLowerCase();
    signers.set(req, account);
    const perAccount = byAccount.check(account);
    if (!perAccount.ok) return refuse(req, reply, 'account', byAccount, account, perAccount.retryAfterSeconds);
  });

  app.addHook('onResponse', async (req, reply) => {
    const account = signers.get(req);
    // 400 and 401 come before the signature is known good (or from it failing); 429 is this limit.
    if (account === undefined || reply.statusCode === 400 || reply.statusCode === 401 || reply.statusCode === 429) return;
    byAccount.charge(account);
  });
}
