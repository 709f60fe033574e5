import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { callerOf, type Context } from '../server/graphql/context';
import { RecordAuditEventsInput, RecordAuditEventsPayload, RecordedAuditEventType } from './audit-ingest.types';

@Resolver()
export class AuditIngestResolver {
  @Authorized()
  @Mutation(() => RecordAuditEventsPayload, {
    description:
      'Records the host product’s own events (1 to 500, in order, all or none) into the account’s audit log, on every plan (audit:write for API keys; OWNER/ADMIN). Viewing them needs AUDIT_LOG as ever.',
  })
  async recordAuditEvents(
    @Arg('input', () => RecordAuditEventsInput) input: RecordAuditEventsInput,
    @Ctx() ctx: Context,
  ): Promise<RecordAuditEventsPayload> {
    const recorded = await ctx.services.ingest.record(ctx.em, callerOf(ctx), input);
    return Object.assign(new RecordAuditEventsPayload(), {
      events: recorded.events.map((event) => RecordedAuditEventType.from(event)),
      replayed: recorded.replayed,
    });
  }
}
