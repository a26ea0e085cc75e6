import { useQuery } from '@tanstack/react-query';
import { fjord } from './client.ts';

/** The signed-in caller (user, organization, role); fails with UnauthorizedError when signed out. */
export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: () => fjord.me(), retry: false, staleTime: 30_000 });
}

/** Viewers read only: the console shows them no button that would change anything. */
export function useCanWrite(): boolean {
  const me = useMe();
  return me.data !== undefined && me.data.role !== 'viewer';
}
