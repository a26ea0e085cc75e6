import { Role, type Role as RoleName } from '@fjord/api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { SelectField, TextField } from '../components/field.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { formatTime } from '../data/format.ts';
import { fieldErrors, onlyFieldErrors } from '../data/problems.ts';
import { useCanWrite, useMe } from '../data/session.ts';

const roles = Role.options;

export function Members() {
  const canWrite = useCanWrite();
  const me = useMe();
  const queryClient = useQueryClient();
  const members = useQuery({ queryKey: ['members'], queryFn: async () => (await fjord.members.list({ limit: 100 })).items });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['members'] });
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<RoleName>('viewer');
  const add = useMutation({
    mutationFn: () => fjord.members.add({ email, role }),
    onSuccess: async () => {
      setEmail('');
      await refresh();
    },
  });
  const change = useMutation({ mutationFn: ({ id, role }: { id: string; role: RoleName }) => fjord.members.update(id, { role }), onSuccess: refresh });
  const remove = useMutation({ mutationFn: (id: string) => fjord.members.remove(id), onSuccess: refresh });
  const errors = fieldErrors(add.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <section aria-labelledby="members-title">
      <header className="page-header">
        <h1 id="members-title">Members of {me.data?.organization.name}</h1>
      </header>
      <QueryState query={members} what="members">
        {(items) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Member since</th>
                {canWrite && <th scope="col"><span className="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id}>
                  <td>{m.email}</td>
                  <td>
                    {canWrite ? (
                      <SelectField label={`Role of ${m.email}`} value={m.role} onChange={(e) => change.mutate({ id: m.id, role: e.target.value as RoleName })}>
                        {roles.map((r) => (
                          <option key={r} value={r}>{r}</option>
                        ))}
                      </SelectField>
                    ) : (
                      m.role
                    )}
                  </td>
                  <td>{formatTime(m.createdAt)}</td>
                  {canWrite && (
                    <td>
                      <button type="button" className="button-danger button-small" onClick={() => remove.mutate(m.id)} aria-label={`Remove ${m.email}`}>
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <ProblemAlert error={change.error ?? remove.error} />
      {canWrite && (
        <form className="card inline-form" onSubmit={submit} noValidate aria-labelledby="add-member-title">
          <h2 id="add-member-title">Add a member</h2>
          <TextField label="Member email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} hint="Someone who already has a Fjord account" />
          <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as RoleName)} error={errors.role}>
            {roles.map((r) => (
              <option key={r} value={r}>{r}</option>
            ))}
          </SelectField>
          <button type="submit" disabled={add.isPending}>
            Add member
          </button>
          {!onlyFieldErrors(add.error, ['email', 'role']) && <ProblemAlert error={add.error} />}
        </form>
      )}
    </section>
  );
}
