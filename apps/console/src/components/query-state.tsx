import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ProblemAlert } from './problem-alert.tsx';

/** Loading, failure and empty states of one query, designed once; `children` renders the data. */
export function QueryState<T>({
  query,
  what,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    return (
      <p className="loading" role="status">
        Loading {what}…
      </p>
    );
  }
  if (query.isError) return <ProblemAlert error={query.error} title={`Could not load ${what}`} />;
  if (isEmpty?.(query.data) && empty) return <div className="empty-state">{empty}</div>;
  return <>{children(query.data)}</>;
}
