import type { ErrorCode, ErrorReason } from '../../../../contract/errors.ts';

/** Codes the page has words for: the product's own (contract/errors.ts) and the generic 500. */
export type KnownErrorCode = ErrorCode | 'internal';

/** Labels the catalogues must have (en.ts checks them): a new reason or code fails the typecheck. */
export type ErrorLabels = `error.reason.${ErrorReason}` | `error.code.${KnownErrorCode}`;
