// OpenAI-compatible inference: POST /v1/completions and /v1/chat/completions, with
// streaming by server-sent events as OpenAI does it, and errors in OpenAI's shape, so the
// official clients work unchanged. Every answer also carries an `attribution` object
// (in the final chunk when streaming): the contributions and weights, the matched spans,
// the fee and its split, and the log index of the inference record.
import { randomBytes } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Served } from '../../node/servingService.ts';
import type { TributaryNode } from '../../node/node.ts';
import { ActionRejected } from '../../protocol/errors.ts';
import { SequencerUnavailable } from '../../node/cluster.ts';
import { DatabaseUnavailable, isStorageFull } from '../../store/sql.ts';
import { BackendError } from '../../serving/backend.ts';
import { type Attribution, ChatBody, CompletionBody } from '../../wire/openai.ts';

/** OpenAI's error object: { error: { message, type, param, code } }. */
function openAiError(error: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ActionRejected) {
    const type =
      error.status === 401 ? 'authentication_error' : error.status === 402 ? 'insufficient_quota' : error.status === 404 ? 'not_found_error' : error.status === 503 ? 'service_unavailable' : 'invalid_request_error';
    if (error.status === 503) void reply.header('retry-after', '1');
    return reply.status(error.status).send({ error: { message: error.message, type, param: error.field ?? null, code: error.code } });
  }
  if (error instanceof BackendError) {
    if (error.status === 503) void reply.header('retry-after', '1');
    return reply.status(error.status).send({ error: { message: error.message, type: error.status === 503 ? 'service_unavailable' : 'server_error', param: null, code: null } });
  }
  // The database or the sequencer away, or the disk full: nothing was charged or written.
  if (error instanceof DatabaseUnavailable || error instanceof SequencerUnavailable) {
    void reply.header('retry-after', '1');
    return reply.status(503).send({ error: { message: error.message, type: 'service_unavailable', param: null, code: 'unavailable' } });
  }
  if (isStorageFull(error))
    return reply.status(507).send({ error: { message: "the node's disk is full, so nothing was written or charged; retry once the operator frees space", type: 'server_error', param: null, code: 'insufficient_storage' } });
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const param = first.instancePath.split('/').filter(Boolean).join('.') || null;
    return reply.status(400).send({ error: { message: `${param ?? 'body'}: ${first.message}`, type: 'invalid_request_error', param, code: 'invalid_value' } });
  }
  const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
  return reply.status(status).send({ error: { message: status === 500 ? 'internal error' : error.message, type: status === 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } });
}

/** A chat as one prompt: the demo models have no chat template, so a plain transcript. */
function chatPrompt(messages: ReadonlyArray<{ role: string; content: string }>): string {
  const name = { system: 'System', user: 'User', assistant: 'Assistant' } as Record<string, string>;
  return messages.map((m) => `${name[m.role]}: ${m.content}`).join('\n') + '\nAssistant:';
}

function attributionOf(s: Served): Attribution {
  return {
    contributions: s.attribution.contributions.map((c) => ({ contribution: c.contribution, weight_ppm: c.ppm })),
    spans: s.attribution.spans,
    fee: String(s.receipt.result.fee),
    split: s.receipt.result.split as Attribution['split'],
    inference: s.receipt.index,
    log_index: s.receipt.index,
  };
}

export function openAiRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    app.setErrorHandler(openAiError);

    const serve = async (req: FastifyRequest, reply: FastifyReply, kind: 'text' | 'chat', body: z.infer<typeof CompletionBody> | z.infer<typeof ChatBody>, prompt: string) => {
      const account = node.serving.account(req.headers.authorization);
      const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomBytes(12).toString('hex')}`;
      const created = Math.floor(Date.now() / 1000);
      const usage = (s: Served) => ({ prompt_tokens: s.promptTokens, completion_tokens: s.completionTokens, total_tokens: s.promptTokens + s.completionTokens });
      const finish = (s: Served) => (s.finishReason === 'length' ? 'length' : 'stop');
      const logitBias = body.logit_bias ? Object.fromEntries(Object.entries(body.logit_bias).map(([t, b]) => [Number(t), b])) : undefined;
      if (!body.stream) {
        const s = await node.serving.complete(account, { model: body.model, prompt, maxTokens: body.max_tokens, temperature: body.temperature, seed: body.seed, logitBias });
        return kind === 'chat'
          ? { id, object: 'chat.completion', created, model: s.model.id, choices: [{ index: 0, message: { role: 'assistant', content: s.text }, finish_reason: finish(s), logprobs: null }], usage: usage(s), attribution: attributionOf(s) }
          : { id, object: 'text_completion', created, model: s.model.id, choices: [{ index: 0, text: s.text, finish_reason: finish(s), logprobs: null }], usage: usage(s), attribution: attributionOf(s) };
      }
      // Check the model and the balance before the stream starts, so those errors are plain HTTP.
      node.serving.model(body.model);
      const abort = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      let started = false;
      const send = (chunk: unknown) => {
        if (!started) {
          reply.hijack();
          reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
          started = true;
        }
        if (!reply.raw.destroyed) reply.raw.write(`data: ${JSON.stringify(chunk)}\n\n`);
      };
      const piece = (text: string, finishReason: string | null) =>
        kind === 'chat'
          ? { id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta: text === '' && finishReason === null ? { role: 'assistant', content: '' } : { content: text }, finish_reason: finishReason, logprobs: null }] }
          : { id, object: 'text_completion', created, model: body.model, choices: [{ index: 0, text, finish_reason: finishReason, logprobs: null }] };
      let s: Served;
      try {
        s = await node.serving.complete(account, {
          model: body.model,
          prompt,
          maxTokens: body.max_tokens,
          temperature: body.temperature,
          seed: body.seed,
          logitBias,
          signal: abort.signal,
          onText: (text) => send(piece(text, null)),
        });
      } catch (e) {
        if (!started) throw e;
        send({ error: { message: (e as Error).message, type: 'server_error', param: null, code: null } });
        reply.raw.end();
        return reply;
      }
      send({ ...piece('', finish(s)), usage: usage(s), attribution: attributionOf(s) });
      if (!reply.raw.destroyed) reply.raw.end('data: [DONE]\n\n');
      return reply;
    };

    app.post('/v1/completions', {
      schema: { tags: ['inference'], summary: 'OpenAI-compatible text completion, attributed and settled; stream: true for server-sent events', body: CompletionBody },
      handler: async (req, reply) => serve(req, reply, 'text', req.body, req.body.prompt),
    });

    app.post('/v1/chat/completions', {
      schema: { tags: ['inference'], summary: 'OpenAI-compatible chat completion, attributed and settled; stream: true for server-sent events', body: ChatBody },
      handler: async (req, reply) => serve(req, reply, 'chat', req.body, chatPrompt(req.body.messages)),
    });
  };
}
