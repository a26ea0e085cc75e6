import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { TextField } from '../components/field.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { fjord } from '../data/client.ts';
import { fieldErrors, onlyFieldErrors } from '../data/problems.ts';

export function LogIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const login = useMutation({
    mutationFn: () => fjord.login({ email, password }),
    onSuccess: (me) => {
      queryClient.clear();
      queryClient.setQueryData(['me'], me);
      navigate('/clusters');
    },
  });
  const errors = fieldErrors(login.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Log in to Fjord</h1>
        <TextField label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} required />
        <TextField label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} required />
        {!onlyFieldErrors(login.error, ['email', 'password']) && <ProblemAlert error={login.error} />}
        <button type="submit" disabled={login.isPending}>
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
        <p className="muted">
          New to Fjord? <Link to="/signup">Sign up</Link>
        </p>
      </form>
    </div>
  );
}
