import type { Role } from '@fjord/api';

export interface Actor {
  type: 'user' | 'api_key';
  id: string;
  /** What the audit trail shows: the user's email or the key's description. */
  label: string;
}

/** Who is calling and for which organization: built once per request by plugins/auth-context.ts. */
export interface AuthContext {
  actor: Actor;
  orgId: string;
  orgName: string;
  role: Role;
  user?: { id: string; email: string; createdAt: Date };
  apiKey?: { id: string; description: string };
  /** For an API key: the user whose membership created it (absent for keys made before creators were recorded). */
  keyCreatorId?: string;
  sessionId?: string;
  requestId: string;
}
