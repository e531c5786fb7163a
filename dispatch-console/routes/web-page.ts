import type { FastifyPluginAsync } from 'fastify';

/** The operators' web page at `/` (being written). */
export const webPageRoutes: FastifyPluginAsync = async () => {};
