// The HTTP side of upload ownership: a route-level hook that authorises an upload from its
// headers (node/uploadService.ts) before Fastify reads a byte of its body, so that an anonymous,
// replayed or over-quota upload is refused with nothing received and nothing written; and
// the release of the quota it reserved however the request ends.
import type { FastifyRequest, onRequestAbortHookHandler, onRequestHookHandler, onResponseHookHandler } from 'fastify';
import { ActionRejected } from '../protocol/errors.ts';
import type { UploadTarget } from '../protocol/uploadIntent.ts';
import type { TributaryNode } from '../node/node.ts';
import type { UploadGrant } from '../node/uploadService.ts';

const SHA = /^0x[0-9a-fA-F]{64}$/;

export interface UploadGrantHooks {
  onRequest: onRequestHookHandler;
  onResponse: onResponseHookHandler;
  onRequestAbort: onRequestAbortHookHandler;
  /** The grant the hook gave this request. */
  of(req: FastifyRequest): UploadGrant;
}

/** Hooks for a route that uploads to `target` under the hash in path parameter `param`. */
export function uploadGrantHooks(node: TributaryNode, target: UploadTarget, param: string): UploadGrantHooks {
  const grants = new WeakMap<FastifyRequest, UploadGrant>();
  const release = async (req: FastifyRequest) => grants.get(req)?.release();
  return {
    onRequest: async (req) => {
      const hash = (req.params as Record<string, string | undefined>)[param];
      // A malformed hash is the schema's to refuse, with its own message; nothing is granted.
      if (!hash || !SHA.test(hash)) return;
      grants.set(req, node.uploads.authorize(target, hash, req.headers));
    },
    onResponse: release,
    onRequestAbort: release,
    of(req) {
      const g = grants.get(req);
      if (!g) throw new ActionRejected(401, 'upload_unauthorized', 'authorization', 'this upload was not authorised');
      return g;
    },
  };
}
