import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteOptions } from '../app.ts';

/** `GET /api/reports/response-times` (being written). */
export const reportRoutes: FastifyPluginAsyncZod<RouteOptions> = async () => {};
