// Reading datanets, their contributions and their versions. Writes go through
// POST /v1/actions; this file only answers questions about state.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ContributionRecord, type DatanetCounts, type DatanetRecord, DEFAULT_DUPLICATE_POLICY, type DuplicatePolicy, findContribution, keys, type SnapshotRecord } from '../../datanets/records.ts';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { asUserBytes, userContentType } from '../userBytes.ts';
import { Count, DatanetName as Name, errorResponses } from '../../wire/common.ts';
import { Contribution, ContributionList, ContributionsQuery, DatanetDetail, DatanetList, Snapshot } from '../../wire/datanets.ts';

export function datanetRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  const datanet = (name: string) => {
    const dn = node.state.get<DatanetRecord>(keys.datanet(name));
    if (!dn) throw reject.notFound('name', `no datanet named ${name}`);
    return {
      ...dn,
      counts: node.state.get<DatanetCounts>(keys.counts(name))!,
      duplicates: node.state.get<DuplicatePolicy>(keys.duplicatePolicy(name)) ?? DEFAULT_DUPLICATE_POLICY,
    };
  };

  return async (app) => {
    app.get('/v1/datanets', {
      schema: { tags: ['datanets'], summary: 'All datanets', response: { 200: DatanetList } },
      handler: async () => ({
        datanets: node.state.list<DatanetRecord>(keys.datanetPrefix).map(([, dn]) => datanet(dn.name)),
      }),
    });

    app.get('/v1/datanets/:name', {
      schema: {
        tags: ['datanets'],
        summary: 'One datanet, with its counts and versions',
        params: z.object({ name: Name }),
        response: { 200: DatanetDetail, ...errorResponses },
      },
      handler: async (req) => ({
        ...datanet(req.params.name),
        snapshots: node.state.list<SnapshotRecord>(keys.snapshotPrefix(req.params.name)).map(([, s]) => {
          const { contributions: _c, ...rest } = s;
          return rest;
        }),
      }),
    });

    app.get('/v1/datanets/:name/contributions', {
      schema: {
        tags: ['datanets'],
        summary: "A datanet's contributions in id order, optionally of one status",
        params: z.object({ name: Name }),
        querystring: ContributionsQuery,
        response: { 200: ContributionList, ...errorResponses },
      },
      handler: async (req) => {
        datanet(req.params.name);
        const { status, after, before, order, limit } = req.query;
        const prefix = keys.contributionPrefix(req.params.name);
        const out: ContributionRecord[] = [];
        if (order === 'desc') {
          // Newest first, a page at a time, so that "latest N" never reads the whole datanet.
          let cursor = before === undefined ? undefined : keys.contribution(req.params.name, before);
          for (;;) {
            const page = node.state.listDescending<ContributionRecord>(prefix, 1000, cursor);
            for (const [, c] of page) if (!status || c.status === status) out.push(c);
            if (out.length >= limit || page.length < 1000) break;
            cursor = page[page.length - 1][0];
          }
          return { contributions: out.slice(0, limit) };
        }
        for (const [, c] of node.state.list<ContributionRecord>(prefix)) {
          if (after !== undefined && c.id <= after) continue;
          if (status && c.status !== status) continue;
          out.push(c);
          if (out.length >= limit) break;
        }
        return { contributions: out };
      },
    });

    app.get('/v1/datanets/:name/content/:hash', {
      schema: {
        tags: ['datanets'],
        summary: 'Which contribution to this datanet, if any, already has this content (ask before uploading)',
        params: z.object({ name: Name, hash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by a 64-hex-digit SHA-256') }),
        response: { 200: Contribution, ...errorResponses },
      },
      handler: async (req) => {
        datanet(req.params.name);
        const id = node.state.get<number>(keys.byHash(req.params.name, req.params.hash.toLowerCase()));
        if (id === undefined) throw reject.notFound('hash', `datanet ${req.params.name} has no contribution with content ${req.params.hash}`);
        return findContribution(node.state, id)!;
      },
    });

    app.get('/v1/datanets/:name/snapshots/:version', {
      schema: {
        tags: ['datanets'],
        summary: 'One version of a datanet, with the ids it covers',
        params: z.object({ name: Name, version: Count.min(1) }),
        response: { 200: Snapshot, ...errorResponses },
      },
      handler: async (req) => {
        datanet(req.params.name);
        const s = node.state.get<SnapshotRecord>(keys.snapshot(req.params.name, req.params.version));
        if (!s) throw reject.notFound('version', `datanet ${req.params.name} has no version ${req.params.version}`);
        return s;
      },
    });

    app.get('/v1/contributions/:id', {
      schema: {
        tags: ['datanets'],
        summary: 'One contribution',
        params: z.object({ id: Count }),
        response: { 200: Contribution, ...errorResponses },
      },
      handler: async (req) => {
        const c = findContribution(node.state, req.params.id);
        if (!c) throw reject.notFound('id', `no contribution ${req.params.id}`);
        return c;
      },
    });

    app.get('/v1/contributions/:id/content', {
      schema: {
        tags: ['datanets'],
        summary: "A contribution's bytes (410 once its author has withdrawn it)",
        params: z.object({ id: Count }),
        response: { 200: z.any().describe('The raw bytes'), ...errorResponses },
      },
      handler: async (req, reply) => {
        const c = findContribution(node.state, req.params.id);
        if (!c) throw reject.notFound('id', `no contribution ${req.params.id}`);
        if (c.status === 'withdrawn') throw reject.gone('id', `contribution ${c.id} was withdrawn by its author; its content is deleted`);
        const bytes = node.blobs.get(c.contentHash);
        if (!bytes) throw reject.gone('id', `content of contribution ${c.id} is not held by this node`);
        return asUserBytes(reply, userContentType(c.mediaType), c.fileName).header('x-content-sha256', c.contentHash).send(bytes);
      },
    });
  };
}
