import { z } from 'zod';
import { Email, Id, Role, Timestamp } from './common.ts';

export const Password = z.string().min(12, 'must be at least 12 characters').max(256);

export const SignupRequest = z
  .object({
    email: Email,
    password: Password,
    organizationName: z.string().trim().min(1).max(100),
  })
  .strict()
  .meta({ id: 'SignupRequest' });
export type SignupRequest = z.input<typeof SignupRequest>;

export const LoginRequest = z
  .object({
    email: Email,
    password: z.string().min(1).max(256),
    organizationId: Id.optional().describe('Organization to sign in to; defaults to the oldest membership'),
  })
  .strict()
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.input<typeof LoginRequest>;

export const User = z.object({ id: Id, email: z.string(), createdAt: Timestamp }).meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const OrganizationSummary = z.object({ id: Id, name: z.string() }).meta({ id: 'OrganizationSummary' });
export type OrganizationSummary = z.infer<typeof OrganizationSummary>;

/** Who the caller is: a signed-in user, or a cloud API key acting for its organization. */
export const Me = z
  .object({
    user: User.nullable(),
    apiKey: z.object({ id: Id, description: z.string() }).nullable(),
    organization: OrganizationSummary,
    role: Role,
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof Me>;
