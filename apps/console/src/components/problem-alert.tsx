import { FjordApiError } from '@fjord/sdk';

/** A failed request as the API explained it: its problem detail and the request id to quote. */
export function ProblemAlert({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const problem = error instanceof FjordApiError ? error.problem : undefined;
  return (
    <div className="alert alert-error" role="alert">
      <strong>{problem?.title ?? title}</strong>
      <p>{problem?.detail ?? (error instanceof Error ? error.message : String(error))}</p>
      {problem?.requestId && (
        <p className="alert-meta">
          Request id: <code>{problem.requestId}</code>
        </p>
      )}
    </div>
  );
}
