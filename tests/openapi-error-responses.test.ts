import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError } from '../common/errors.ts';
import { installErrorHandler } from '../dispatch-console/console/error-handler.ts';
import { errorResponses, noContent } from '../dispatch-console/console/routes/shared-schemas.ts';

/**
 * Fastify serializes every answer whose status a route declares with that status's schema,
 * error answers included, and the zod serializer drops what the schema does not name. These
 * routes are built like the console's (the same compilers and error handler), so a declared
 * error response must leave the error bodies exactly as the error handler made them.
 */
describe('declared error responses leave the error bodies as they were', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandler(app);
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.post(
      '/things/:id',
      {
        schema: {
          params: z.object({ id: z.guid() }),
          body: z.strictObject({ n: z.number() }),
          response: { 200: z.object({ n: z.number() }), ...errorResponses(400, 409) },
        },
      },
      async (request) => {
        if (request.body.n === 409) throw new ConflictError('already taken', { shiftId: 'abc' });
        return { n: request.body.n };
      },
    );
    // a body with everything an error answer may carry, and a field no schema names yet
    r.post('/loose', { schema: { response: { 200: z.object({}), ...errorResponses(409) } } }, async (_request, reply) =>
      reply.code(409).send({ error: 'taken', code: 'conflict', reason: 'alarm_already_accepted', details: { by: 'Li Na' }, hint: 'reload' }),
    );
    r.delete('/things/:id', { schema: { response: { 204: noContent('Deleted'), ...errorResponses(404) } } }, async (_request, reply) =>
      reply.code(204).send(),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  it('a validation 400 still carries its details', async () => {
    const res = await app.inject({ method: 'POST', url: '/things/not-a-uuid', payload: { n: 'x' } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    expect(body.error).toMatch(/^invalid params: id/);
    expect(body.details).toEqual([expect.objectContaining({ path: 'id' })]);
  });

  it('malformed JSON still answers the usual 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things/6f1c1f8e-1d2b-4c1a-9e1e-0a4b5c6d7e8f',
      headers: { 'content-type': 'application/json' },
      payload: '{"n":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_json' });
  });

  it("an AppError's details survive, and so do reason and fields no schema names", async () => {
    const thrown = await app.inject({ method: 'POST', url: '/things/6f1c1f8e-1d2b-4c1a-9e1e-0a4b5c6d7e8f', payload: { n: 409 } });
    expect(thrown.statusCode).toBe(409);
    expect(thrown.json()).toEqual({ error: 'already taken', code: 'conflict', details: { shiftId: 'abc' } });

    const sent = await app.inject({ method: 'POST', url: '/loose' });
    expect(sent.statusCode).toBe(409);
    expect(sent.json()).toEqual({ error: 'taken', code: 'conflict', reason: 'alarm_already_accepted', details: { by: 'Li Na' }, hint: 'reload' });
  });

  it('a declared 204 answers no body, and success bodies are serialized as before', async () => {
    const gone = await app.inject({ method: 'DELETE', url: '/things/1' });
    expect(gone.statusCode).toBe(204);
    expect(gone.body).toBe('');
    const ok = await app.inject({ method: 'POST', url: '/things/6f1c1f8e-1d2b-4c1a-9e1e-0a4b5c6d7e8f', payload: { n: 7 } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ n: 7 });
  });
});
