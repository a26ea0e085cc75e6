import { useQueryClient } from '@tanstack/react-query';
import { UnauthorizedError } from '@fjord/sdk';
import { useEffect } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { fjord } from '../data/client.ts';
import { useMe } from '../data/session.ts';
import { ProblemAlert } from './problem-alert.tsx';

const nav = [
  { to: '/clusters', label: 'Clusters' },
  { to: '/quotas', label: 'Quotas' },
  { to: '/usage', label: 'Usage' },
  { to: '/invoices', label: 'Invoices' },
  { to: '/members', label: 'Members' },
  { to: '/api-keys', label: 'Cloud API keys' },
  { to: '/audit', label: 'Audit log' },
];

/** The signed-in frame: navigation, organization and role; a signed-out visitor goes to Log in. */
export function Layout() {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signedOut = me.error instanceof UnauthorizedError;
  useEffect(() => {
    if (signedOut) navigate('/login', { replace: true });
  }, [signedOut, navigate]);

  const logOut = async () => {
    await fjord.logout().catch(() => undefined);
    queryClient.clear();
    navigate('/login');
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">Fjord Cloud</div>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        {me.data && (
          <div className="account">
            <p className="account-org">{me.data.organization.name}</p>
            <p className="account-user">
              {me.data.user?.email ?? me.data.apiKey?.description} · <span className="role">{me.data.role}</span>
            </p>
            <button type="button" className="button-secondary button-small" onClick={logOut}>
              Log out
            </button>
          </div>
        )}
      </aside>
      <main id="main" tabIndex={-1}>
        {me.isError && !signedOut ? <ProblemAlert error={me.error} title="Could not reach Fjord" /> : me.data ? <Outlet /> : <p role="status">Loading…</p>}
      </main>
    </div>
  );
}
