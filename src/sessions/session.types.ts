import { Field, InputType, ObjectType } from 'type-graphql';
import { ViewerType } from '../accounts/viewer.types';

@InputType('SignInWithLoginLinkInput')
export class SignInWithLoginLinkInput {
  @Field(() => String, { description: 'The code from the link’s `#code=` fragment.' })
  code!: string;
}

@ObjectType('SignInPayload', { simpleResolvers: true })
export class SignInPayload {
  @Field(() => ViewerType, { description: 'The member now signed in.' })
  viewer!: ViewerType;

  @Field(() => Date, { description: 'When the session ends unless signed out first.' })
  sessionExpiresAt!: Date;
}
