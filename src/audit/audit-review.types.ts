import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserType } from '../accounts/account.types';
import type { AuditReviewState } from './audit-review.service';

@ObjectType('AuditReview', {
  simpleResolvers: true,
  description: 'Where the review of the audit log stands, and who owns it.',
})
export class AuditReviewType {
  @Field(() => Int, { description: 'Every event up to this seq has been reviewed; 0 before the first review.' })
  reviewedThroughSeq!: number;

  @Field(() => Date, { nullable: true })
  reviewedAt!: Date | null;

  @Field(() => UserType, { nullable: true, description: 'Who marked the last review.' })
  reviewer!: UserType | null;

  @Field(() => String, { nullable: true, description: 'The last review’s note.' })
  note!: string | null;

  @Field(() => Int, {
    description:
      'Events after reviewedThroughSeq within the plan’s retention; the review events themselves are not counted.',
  })
  unreviewedCount!: number;

  @Field(() => Int, { description: 'Of those, the events whose action is among importantActions.' })
  unreviewedImportantCount!: number;

  @Field(() => Date, { nullable: true, description: 'When the oldest unreviewed event was recorded.' })
  oldestUnreviewedAt!: Date | null;

  @Field(() => [UserType], { description: 'Members who may mark the log reviewed.' })
  reviewers!: UserType[];

  @Field(() => [String], {
    description: 'Actions that matter most to the account: exact names or prefixes such as api_key.*.',
  })
  importantActions!: string[];

  static from(state: AuditReviewState): AuditReviewType {
    return Object.assign(new AuditReviewType(), {
      ...state,
      reviewer: state.reviewer ? UserType.from(state.reviewer) : null,
      reviewers: state.reviewers.map((user) => UserType.from(user)),
    });
  }
}

@InputType('SetAuditReviewerInput')
export class SetAuditReviewerInput {
  @Field(() => ID, { description: 'Any member: a reviewer reads the audit log (audit:read) whatever their role.' })
  userId!: string;

  @Field(() => Boolean)
  reviewer!: boolean;
}

@InputType('SetImportantAuditActionsInput')
export class SetImportantAuditActionsInput {
  @Field(() => [String], { description: 'At most 50: exact action names or prefixes such as api_key.* (replaces).' })
  actions!: string[];
}

@InputType('MarkAuditReviewedInput')
export class MarkAuditReviewedInput {
  @Field(() => Int, { description: 'The newest seq reviewed; forward only, never beyond the newest event.' })
  throughSeq!: number;

  @Field(() => String, { nullable: true, description: 'Up to 1,000 characters.' })
  note?: string | null;
}
