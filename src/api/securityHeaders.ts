// The browser-facing security headers on every response (explorer, API, errors), set by
// @fastify/helmet: a Content-Security-Policy that lets a page run only the explorer's own
// bundled scripts and be framed by nobody, nosniff, and no Referer sent anywhere. The
// explorer needs nothing beyond its own origin: one script and one stylesheet from
// /assets, fetch and streaming to /v1, WebCrypto, and an injected wallet (a browser
// extension, which CSP does not govern). It must never allow inline or evaluated script
// ('unsafe-inline', 'unsafe-eval'), and never force HTTPS itself: a node is often reached
// over plain HTTP on a LAN, and TLS (with HSTS) is the job of the proxy in front of it.
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** The explorer's policy, directive by directive; docs/api.md lists it. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  // The pages size bars through the CSSOM (element.style), which CSP allows; style
  // attributes in markup would need 'unsafe-inline', so the explorer writes none.
  styleSrc: ["'self'"],
  // data: for the empty favicon in index.html (it stops a request for /favicon.ico).
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} as const;

export const SECURITY_HEADERS: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { ...CSP_DIRECTIVES } },
  // Mirrors frame-ancestors 'none' for browsers that predate it.
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // The node does not terminate TLS; a proxy that does sets HSTS for its own domain.
  strictTransportSecurity: false,
};

/** Registers the headers on `app`; call before any hook that may answer early (rate limits). */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, SECURITY_HEADERS);
}
