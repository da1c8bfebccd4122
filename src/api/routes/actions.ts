// Submitting signed actions. One endpoint takes every action type; the body names the
// type, and the schema for each type is generated from its EIP-712 fields, so the
// wire format and what wallets sign cannot drift apart.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SignedAction, TributaryNode } from '../../node/node.ts';
import { actionSchema, allFields } from '../../protocol/action.ts';
import { domainFor } from '../../protocol/protocol.ts';
import { Address, Base64, errorResponses, Receipt, Signature } from '../schemas.ts';

export function actionRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  const userDefs = node.protocol.definitions().filter((d) => d.signer === 'user');
  const [first, ...rest] = userDefs.map((d) => actionSchema(d));
  const ActionUnion = z.discriminatedUnion('type', [first, ...rest] as [typeof first, ...typeof rest]);
  const SignedBody = z
    .strictObject({
      action: ActionUnion,
      signer: Address.describe('The account that signed'),
      signature: Signature.describe('EIP-712 signature over `action` (without its `type` key) with primaryType = action.type'),
      domain: z
        .strictObject({ name: z.string().optional(), version: z.string().optional(), chainId: z.number().int().optional() })
        .optional()
        .describe('Optional: the domain you signed over; checked so that a mismatch gets a precise error'),
      content: Base64.optional().describe('For Contribute: the file bytes, base64 (or PUT /v1/blobs/:hash first)'),
    })
    .describe('A signed action');

  return async (app) => {
    app.post('/v1/actions', {
      schema: {
        tags: ['actions'],
        summary: 'Submit a signed action; answers once it is durable in the log',
        body: SignedBody,
        response: { 200: Receipt, ...errorResponses },
      },
      handler: async (req) => {
        const { content, ...signed } = req.body;
        return node.submitSigned(signed as SignedAction, content === undefined ? undefined : Buffer.from(content, 'base64'));
      },
    });

    app.get('/v1/actions/types', {
      schema: {
        tags: ['actions'],
        summary: 'The EIP-712 domain and the types of every action, as wallets need them for eth_signTypedData_v4',
        response: {
          200: z.object({
            domain: z.object({ name: z.string(), version: z.string(), chainId: z.number().int() }),
            types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
            descriptions: z.record(z.string(), z.string()),
          }),
        },
      },
      handler: async () => ({
        domain: domainFor(node.params.chainId),
        types: Object.fromEntries(userDefs.map((d) => [d.type, allFields(d).map((f) => ({ name: f.name, type: f.type }))])),
        descriptions: Object.fromEntries(userDefs.map((d) => [d.type, d.description])),
      }),
    });
  };
}
