import type { Session } from '../../types.ts';

/** What a Centre page is given: the login (its role decides what it offers) and the id in the path, if any. */
export interface SetupPageProps {
  session: Session;
  id: string | undefined;
}
