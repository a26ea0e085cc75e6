import { z } from 'zod';
import { Email, Id, Role, Timestamp } from './common.ts';
import { page } from './pagination.ts';

export const AddMemberRequest = z
  .object({ email: Email.describe('Email of an existing Fjord account'), role: Role })
  .strict()
  .meta({ id: 'AddMemberRequest' });
export type AddMemberRequest = z.input<typeof AddMemberRequest>;

export const UpdateMemberRequest = z.object({ role: Role }).strict().meta({ id: 'UpdateMemberRequest' });
export type UpdateMemberRequest = z.input<typeof UpdateMemberRequest>;

export const Member = z
  .object({ id: Id, userId: Id, email: z.string(), role: Role, createdAt: Timestamp })
  .meta({ id: 'Member' });
export type Member = z.infer<typeof Member>;

export const MemberPage = page(Member).meta({ id: 'MemberPage' });
