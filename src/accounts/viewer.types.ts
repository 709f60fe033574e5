import { Field, ObjectType } from 'type-graphql';
import { ApiKeyScope, Role } from '../auth/permissions';
import { ApiKeyType } from '../keys/api-key.types';
import { AccountType, UserType } from './account.types';

@ObjectType('Viewer', {
  simpleResolvers: true,
  description: 'Who is calling: a member (user) or an API key, and with what rights.',
})
export class ViewerType {
  @Field(() => UserType, { nullable: true, description: 'The signed-in member, or the member an API key acts for.' })
  user!: UserType | null;

  @Field(() => ApiKeyType, { nullable: true, description: 'Set when the caller is an API key.' })
  apiKey!: ApiKeyType | null;

  @Field(() => AccountType)
  account!: AccountType;

  @Field(() => Role, { nullable: true, description: "The member's role (for an API key: its owner's)." })
  role!: Role | null;

  @Field(() => [ApiKeyScope], {
    nullable: true,
    description: "An API key's effective scopes (its scopes within its owner's role); null for a user.",
  })
  scopes!: ApiKeyScope[] | null;
}
