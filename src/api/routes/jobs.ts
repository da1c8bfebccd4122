// Training jobs: listing them, and the two calls a worker makes off the log: leasing the
// oldest open job, and renewing its lease with heartbeats. Both are EIP-712-signed by the
// worker (see protocol/workerCall.ts). Submitting a job and handing in its result are
// signed actions through POST /v1/actions; a worker fetches the base model from
// GET /v1/models/files/:sha256 and the training texts from /v1/contributions/:id/content.
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findJob, jobKeys, type TrainingJobRecord } from '../../models/records.ts';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { Count, errorResponses } from '../../wire/common.ts';
import { Heartbeat, LeasedJob, TrainingJob as Job, TrainingJobList, WorkerCallBody as CallBody } from '../../wire/jobs.ts';
import { asUserBytes } from '../userBytes.ts';

const Sha = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex digits');
export function jobRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  const view = (j: TrainingJobRecord) => ({ ...j, lease: j.status === 'open' ? (node.jobs.holder(j.id) ?? null) : null });
  return async (app) => {
    app.get('/v1/jobs', {
      schema: { tags: ['models'], summary: 'Training jobs, newest first', response: { 200: TrainingJobList } },
      handler: async () => ({ jobs: node.state.list<TrainingJobRecord>(jobKeys.jobPrefix).map(([, j]) => view(j)).reverse() }),
    });

    app.get('/v1/jobs/:id', {
      schema: { tags: ['models'], summary: 'One training job', params: z.object({ id: Count }), response: { 200: Job, ...errorResponses } },
      handler: async (req) => {
        const j = findJob(node.state, req.params.id);
        if (!j) throw reject.notFound('id', `no training job ${req.params.id}`);
        return view(j);
      },
    });

    app.post('/v1/jobs/lease', {
      schema: {
        tags: ['models'],
        summary: 'A registered worker leases the oldest open job (job is null when there is none)',
        body: CallBody,
        response: {
          200: LeasedJob,
          ...errorResponses,
        },
      },
      handler: async (req) => {
        const leased = node.jobs.lease({ ...req.body, call: 'lease', job: req.body.job ?? 0 });
        if (!leased) return { job: null, contributions: [], leaseExpiresAt: null };
        return { job: view(leased.job), contributions: leased.contributions, leaseExpiresAt: leased.leaseExpiresAt };
      },
    });

    app.post('/v1/jobs/:id/heartbeat', {
      schema: {
        tags: ['models'],
        summary: 'Renew the lease on a job (409 if it was lost)',
        params: z.object({ id: Count }),
        body: CallBody,
        response: { 200: Heartbeat, ...errorResponses },
      },
      handler: async (req) => {
        if (req.body.job !== undefined && req.body.job !== req.params.id) throw reject.invalid('job', `the body names job ${req.body.job}, the path ${req.params.id}`);
        return node.jobs.heartbeat({ ...req.body, call: 'heartbeat', job: req.params.id });
      },
    });

    app.get('/v1/models/files/:sha256', {
      schema: { tags: ['models'], summary: 'Download a stored model or adapter file', params: z.object({ sha256: Sha }), response: { 200: z.any(), ...errorResponses } },
      handler: async (req, reply) => {
        const hash = req.params.sha256.toLowerCase();
        if (!node.models.files.has(hash)) throw reject.notFound('sha256', `this node holds no file ${hash}`);
        return asUserBytes(reply, 'application/octet-stream', `${hash}.gguf`)
          .header('content-length', String(node.models.files.size(hash)))
          .header('x-content-sha256', hash)
          .send(createReadStream(node.models.files.path(hash)));
      },
    });
  };
}
