// Submitting signed actions. One endpoint takes every action type; the body names the
// type, and the schema for each type is generated from its EIP-712 fields, so the
// wire format and what wallets sign cannot drift apart.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SignedAction, TributaryNode } from '../../node/node.ts';
import { actionSchema, allFields } from '../../protocol/action.ts';
import { domainFor } from '../../protocol/protocol.ts';
import { ActionTypesAnswer, signedActionBody } from '../../wire/actions.ts';
import { errorResponses } from '../../wire/common.ts';
import { Receipt } from '../../wire/receipt.ts';

export function actionRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  const userDefs = node.protocol.definitions().filter((d) => d.signer === 'user');
  const [first, ...rest] = userDefs.map((d) => actionSchema(d));
  const ActionUnion = z.discriminatedUnion('type', [first, ...rest] as [typeof first, ...typeof rest]);
  const SignedBody = signedActionBody(ActionUnion);

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
        response: { 200: ActionTypesAnswer },
      },
      handler: async () => ({
        domain: domainFor(node.params.chainId),
        types: Object.fromEntries(userDefs.map((d) => [d.type, allFields(d).map((f) => ({ name: f.name, type: f.type }))])),
        descriptions: Object.fromEntries(userDefs.map((d) => [d.type, d.description])),
      }),
    });
  };
}
