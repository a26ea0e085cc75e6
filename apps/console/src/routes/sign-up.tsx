import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { TextField } from '../components/field.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { fjord } from '../data/client.ts';
import { fieldErrors, onlyFieldErrors } from '../data/problems.ts';

export function SignUp() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organizationName, setOrganizationName] = useState('');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signup = useMutation({
    mutationFn: () => fjord.signup({ email, password, organizationName }),
    onSuccess: (me) => {
      queryClient.setQueryData(['me'], me);
      navigate('/clusters');
    },
  });
  const errors = fieldErrors(signup.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signup.mutate();
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Create your Fjord account</h1>
        <p className="muted">Kafka-compatible streaming, managed for you. Your first cluster is minutes away.</p>
        <TextField label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} required />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          hint="At least 12 characters"
          required
        />
        <TextField label="Organization" autoComplete="organization" value={organizationName} onChange={(e) => setOrganizationName(e.target.value)} error={errors.organizationName} required />
        {!onlyFieldErrors(signup.error, ['email', 'password', 'organizationName']) && <ProblemAlert error={signup.error} />}
        <button type="submit" disabled={signup.isPending}>
          {signup.isPending ? 'Signing up…' : 'Sign up'}
        </button>
        <p className="muted">
          Have an account? <Link to="/login">Log in</Link>
        </p>
      </form>
    </div>
  );
}
