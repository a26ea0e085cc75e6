import type { ClusterStatus } from '@fjord/api';

const labels: Record<ClusterStatus, string> = {
  PROVISIONING: 'Provisioning',
  RUNNING: 'Running',
  DELETING: 'Deleting',
  DELETED: 'Deleted',
  FAILED: 'Failed',
};

export function StatusBadge({ status }: { status: ClusterStatus }) {
  const busy = status === 'PROVISIONING' || status === 'DELETING';
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-status={status}>
      {busy && <span className="spinner" aria-hidden="true" />}
      {labels[status]}
    </span>
  );
}
