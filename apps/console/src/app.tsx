import { lazy, Suspense } from 'react';
import { Navigate, createBrowserRouter } from 'react-router';
import { Layout } from './components/layout.tsx';
import { ApiKeys } from './routes/api-keys.tsx';
import { AuditLog } from './routes/audit-log.tsx';
import { ClusterDetail } from './routes/cluster-detail.tsx';
import { ClustersList } from './routes/clusters-list.tsx';
import { ConsumerGroupDetail } from './routes/consumer-group-detail.tsx';
import { CreateCluster } from './routes/create-cluster.tsx';
import { InvoiceDetail } from './routes/invoice-detail.tsx';
import { Invoices } from './routes/invoices.tsx';
import { LogIn } from './routes/log-in.tsx';
import { Members } from './routes/members.tsx';
import { Quotas } from './routes/quotas.tsx';
import { SignUp } from './routes/sign-up.tsx';
import { TopicDetail } from './routes/topic-detail.tsx';
import { TopicsList } from './routes/topics-list.tsx';

// The chart library is most of a screen's weight: only a visit to Usage loads it.
const Usage = lazy(async () => ({ default: (await import('./routes/usage.tsx')).Usage }));

export const router = createBrowserRouter([
  { path: '/signup', element: <SignUp /> },
  { path: '/login', element: <LogIn /> },
  {
    element: <Layout />,
    children: [
      { path: '/', element: <Navigate to="/clusters" replace /> },
      { path: '/clusters', element: <ClustersList /> },
      { path: '/clusters/new', element: <CreateCluster /> },
      { path: '/clusters/:id', element: <ClusterDetail /> },
      { path: '/clusters/:id/topics', element: <TopicsList /> },
      { path: '/clusters/:id/topics/:name', element: <TopicDetail /> },
      { path: '/clusters/:id/consumer-groups/:groupId', element: <ConsumerGroupDetail /> },
      { path: '/quotas', element: <Quotas /> },
      {
        path: '/usage',
        element: (
          <Suspense fallback={<p className="loading" role="status">Loading usage…</p>}>
            <Usage />
          </Suspense>
        ),
      },
      { path: '/invoices', element: <Invoices /> },
      { path: '/invoices/:id', element: <InvoiceDetail /> },
      { path: '/members', element: <Members /> },
      { path: '/api-keys', element: <ApiKeys /> },
      { path: '/audit', element: <AuditLog /> },
      { path: '*', element: <p className="empty-state">No such page.</p> },
    ],
  },
]);
