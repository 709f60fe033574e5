import { randomUUID } from 'node:crypto';
import { OptionalProps, Entity, Enum, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Role } from '../auth/permissions';
import { Account } from './account.entity';
import { User } from './user.entity';

@Entity({ tableName: 'memberships' })
@Unique({ properties: ['account', 'user'] })
export class Membership {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Account, deleteRule: 'cascade' })
  account!: Account;

  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  user!: User;

  @Enum({ items: () => Role, type: 'text' })
  role!: Role;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
