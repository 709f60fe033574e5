import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from '../auth/permissions';
import { Plan } from '../entitlements/plans';
import type { Account } from './account.entity';
import type { AccountSettings } from './account.service';
import type { Membership } from './membership.entity';
import type { User } from './user.entity';

registerEnumType(Role, { name: 'Role' });

@ObjectType('User', { simpleResolvers: true })
export class UserType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  static from(user: Pick<User, 'id' | 'email' | 'name'>): UserType {
    return Object.assign(new UserType(), { id: user.id, email: user.email, name: user.name });
  }
}

@ObjectType('Membership', { simpleResolvers: true })
export class MembershipType {
  @Field(() => UserType)
  user!: UserType;

  @Field(() => Role)
  role!: Role;

  @Field(() => Date)
  createdAt!: Date;

  static from(membership: Membership): MembershipType {
    return Object.assign(new MembershipType(), {
      user: UserType.from(membership.user),
      role: membership.role,
      createdAt: membership.createdAt,
    });
  }
}

@ObjectType('AccountSettings', { simpleResolvers: true, description: 'API key expiry policy.' })
export class AccountSettingsType {
  @Field(() => Boolean, { description: 'When true, a key cannot be created without an expiry.' })
  requireKeyExpiration!: boolean;

  @Field(() => Int, { description: 'Lifetime given to a key created without expiresAt.' })
  defaultKeyLifetimeDays!: number;

  @Field(() => Int, { description: 'Longest lifetime a key may be given.' })
  maxKeyLifetimeDays!: number;

  static from(account: AccountSettings): AccountSettingsType {
    return Object.assign(new AccountSettingsType(), {
      requireKeyExpiration: account.requireKeyExpiration,
      defaultKeyLifetimeDays: account.defaultKeyLifetimeDays,
      maxKeyLifetimeDays: account.maxKeyLifetimeDays,
    });
  }
}

@ObjectType('Account', { simpleResolvers: true })
export class AccountType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Plan)
  plan!: Plan;

  @Field(() => Date)
  createdAt!: Date;

  /** Kept for field resolvers (settings, members, entitlements). */
  entity!: Account;

  static from(account: Account): AccountType {
    return Object.assign(new AccountType(), {
      id: account.id,
      name: account.name,
      plan: account.plan,
      createdAt: account.createdAt,
      entity: account,
    });
  }
}

@InputType('UpdateAccountSettingsInput')
export class UpdateAccountSettingsInput {
  @Field(() => Boolean, { nullable: true })
  requireKeyExpiration?: boolean | null;

  @Field(() => Int, { nullable: true })
  defaultKeyLifetimeDays?: number | null;

  @Field(() => Int, { nullable: true })
  maxKeyLifetimeDays?: number | null;
}

@InputType('InviteMemberInput')
export class InviteMemberInput {
  @Field(() => String)
  email!: string;

  @Field(() => Role)
  role!: Role;
}

@InputType('ChangeMemberRoleInput')
export class ChangeMemberRoleInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => Role)
  role!: Role;
}

@InputType('RemoveMemberInput')
export class RemoveMemberInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'Hand the member’s working keys to this member (needs keys:write too) instead of revoking them (the default).',
  })
  transferKeysTo?: string | null;
}

@InputType('ChangePlanInput')
export class ChangePlanInput {
  @Field(() => Plan)
  plan!: Plan;
}
