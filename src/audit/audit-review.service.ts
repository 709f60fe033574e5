import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKeyScope } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import type { Plan } from '../entitlements/plans';
import { BadUserInputError, ForbiddenError, NotFoundError, type DeniedAttempt } from '../shared/errors';
import { optionalText, requireId } from '../shared/validation';
import { AuditOutcome } from './audit-event.entity';
import { auditedTransaction, type Caller } from './audit.recorder';
import { actionsMatch } from './audit.records';
import { retentionCutoff } from './audit.service';

/** The action of a review; a successful one is not itself counted as unreviewed. */
export const REVIEWED_ACTION = 'audit.reviewed';
/** Most important action patterns an account may name. */
export const MAX_IMPORTANT_ACTIONS = 50;
const PATTERN_MAX = 100;
const NOTE_MAX = 1000;

/** A member as the review shows them. */
export interface ReviewUser {
  id: string;
  email: string;
  name: string | null;
}

/** Where an account's review of its log stands. */
export interface AuditReviewState {
  /** Every event up to this seq has been reviewed; 0 before the first review. */
  reviewedThroughSeq: number;
  reviewedAt: Date | null;
  /** Who marked the last review; null before the first (or when the user is gone). */
  reviewer: ReviewUser | null;
  note: string | null;
  /** Events after `reviewedThroughSeq` within the plan's retention, reviews themselves not counted. */
  unreviewedCount: number;
  /** Of those, the ones whose action is among `importantActions`. */
  unreviewedImportantCount: number;
  oldestUnreviewedAt: Date | null;
  /** Members who may mark the log reviewed, longest-serving first. */
  reviewers: ReviewUser[];
  /** Exact actions or prefixes (`api_key.*`) that matter most to the account. */
  importantActions: string[];
}

type AuthenticatedCaller = Caller & { principal: Principal };

interface ReviewRow {
  reviewed_through_seq: string | number;
  reviewed_at: Date | null;
  reviewed_by: string | null;
  note: string | null;
  important_actions: string[];
}

/** The review row of an account; created empty when missing, and locked FOR UPDATE within a transaction. */
async function lockedReview(tx: EntityManager, accountId: string): Promise<ReviewRow> {
  await tx.execute('INSERT INTO audit_reviews (account_id) VALUES (?) ON CONFLICT DO NOTHING', [accountId]);
  const [row] = await tx.execute<ReviewRow[]>(
    `SELECT reviewed_through_seq, reviewed_at, reviewed_by, note, important_actions
       FROM audit_reviews WHERE account_id = ? FOR UPDATE`,
    [accountId],
  );
  return row!;
}

/** Only a successful review is left out of what is unreviewed: a refused attempt needs a look too. */
const NOT_A_REVIEW = `NOT (action = '${REVIEWED_ACTION}' AND outcome = '${AuditOutcome.SUCCESS}')`;

/**
 * A review that someone owns: reviewers (members), the actions that matter
 * most to the account, and how far the log has been reviewed. Every change is
 * one transaction with its audit event.
 */
export class AuditReviewService {
  /** Where the review stands (audit:read). */
  async state(em: EntityManager, principal: Principal, plan: Plan): Promise<AuditReviewState> {
    assertPermission(principal, ApiKeyScope.AUDIT_READ);
    const accountId = principal.accountId;
    const [row] = await em.execute<ReviewRow[]>(
      `SELECT reviewed_through_seq, reviewed_at, reviewed_by, note, important_actions
         FROM audit_reviews WHERE account_id = ?`,
      [accountId],
    );
    const reviewedThroughSeq = row ? Number(row.reviewed_through_seq) : 0;
    const importantActions = row?.important_actions ?? [];
    const counts = await this.unreviewed(em, accountId, reviewedThroughSeq, importantActions, plan);
    const reviewers = await em.execute<ReviewUser[]>(
      `SELECT u.id, u.email, u.name FROM audit_reviewers r JOIN users u ON u.id = r.user_id
        WHERE r.account_id = ? ORDER BY r.appointed_at, u.id`,
      [accountId],
    );
    let reviewer: ReviewUser | null = null;
    if (row?.reviewed_by) {
      const [user] = await em.execute<ReviewUser[]>('SELECT id, email, name FROM users WHERE id = ?', [
        row.reviewed_by,
      ]);
      reviewer = user ?? null;
    }
    return {
      reviewedThroughSeq,
      reviewedAt: row?.reviewed_at ? new Date(row.reviewed_at) : null,
      reviewer,
      note: row?.note ?? null,
      ...counts,
      reviewers: reviewers.map((user) => ({ id: user.id, email: user.email, name: user.name })),
      importantActions,
    };
  }

  /**
   * Makes a member a reviewer, or not (members:write: OWNER/ADMIN). Any member
   * can be one: a reviewer reads the log (audit:read) whatever their role, so
   * the review need not be an admin's (see `permissionsOf`). Recorded as
   * `audit.reviewer_changed`; no change records nothing.
   */
  async setReviewer(
    em: EntityManager,
    caller: AuthenticatedCaller,
    input: { userId: string; reviewer: boolean },
  ): Promise<void> {
    const { principal } = caller;
    await auditedTransaction(em, caller, async (tx, audit) => {
      const attempt = { action: 'audit.reviewer_changed', target: { type: 'user', id: input.userId } };
      assertPermission(principal, ApiKeyScope.MEMBERS_WRITE, attempt);
      const userId = requireId(input.userId, 'Member');
      await lockedReview(tx, principal.accountId);
      const [member] = await tx.execute<{ email: string; reviewer: boolean }[]>(
        `SELECT u.email, (r.user_id IS NOT NULL) AS reviewer
           FROM memberships m JOIN users u ON u.id = m.user_id
           LEFT JOIN audit_reviewers r ON r.account_id = m.account_id AND r.user_id = m.user_id
          WHERE m.account_id = ? AND m.user_id = ?`,
        [principal.accountId, userId],
      );
      if (!member) throw new NotFoundError('Member');
      if (member.reviewer === input.reviewer) return;
      if (input.reviewer) {
        await tx.execute('INSERT INTO audit_reviewers (account_id, user_id) VALUES (?, ?)', [
          principal.accountId,
          userId,
        ]);
      } else {
        await tx.execute('DELETE FROM audit_reviewers WHERE account_id = ? AND user_id = ?', [
          principal.accountId,
          userId,
        ]);
      }
      await audit({
        action: 'audit.reviewer_changed',
        target: { type: 'user', id: userId, display: member.email },
        changes: [{ field: 'auditReviewer', before: member.reviewer, after: input.reviewer }],
      });
    });
  }

  /**
   * Names the actions that matter most to the account (settings:write:
   * OWNER/ADMIN): exact names or prefixes such as `api_key.*`, at most 50.
   * Recorded as `audit.important_actions_changed`; no change records nothing.
   */
  async setImportantActions(
    em: EntityManager,
    caller: AuthenticatedCaller,
    input: { actions: readonly string[] },
  ): Promise<void> {
    const { principal } = caller;
    await auditedTransaction(em, caller, async (tx, audit) => {
      const target = { type: 'audit_log', id: principal.accountId };
      assertPermission(principal, ApiKeyScope.SETTINGS_WRITE, { action: 'audit.important_actions_changed', target });
      const actions = importantActionsOf(input.actions);
      const row = await lockedReview(tx, principal.accountId);
      const before = row.important_actions;
      if (before.length === actions.length && before.every((action, i) => action === actions[i])) return;
      await tx.execute('UPDATE audit_reviews SET important_actions = ?::text[] WHERE account_id = ?', [
        textArray(actions),
        principal.accountId,
      ]);
      await audit({
        action: 'audit.important_actions_changed',
        target,
        changes: [{ field: 'importantActions', before, after: actions }],
      });
    });
  }

  /**
   * Marks every event up to `throughSeq` reviewed: a reviewer signed in as a
   * user only (audit:read too). The review moves forward only, never beyond
   * the newest event. Recorded as `audit.reviewed` with the note and how many
   * events (and important ones) it covered; that event is not itself counted
   * as unreviewed.
   */
  async markReviewed(
    em: EntityManager,
    caller: AuthenticatedCaller,
    input: { throughSeq: number; note?: string | null },
    plan: Plan,
  ): Promise<void> {
    const { principal } = caller;
    await auditedTransaction(em, caller, async (tx, audit) => {
      const target = { type: 'audit_log', id: principal.accountId };
      const attempt: DeniedAttempt = { action: REVIEWED_ACTION, target };
      if (principal.kind !== 'user') {
        throw new ForbiddenError('Not allowed: a review is marked by an audit reviewer signed in as a user', attempt);
      }
      assertPermission(principal, ApiKeyScope.AUDIT_READ, attempt);
      const [appointed] = await tx.execute(
        'SELECT 1 FROM audit_reviewers WHERE account_id = ? AND user_id = ? FOR SHARE',
        [principal.accountId, principal.userId],
      );
      if (!appointed) {
        throw new ForbiddenError('Not allowed: only an audit reviewer can mark the log reviewed', attempt);
      }
      const note = optionalText(input.note, 'note', NOTE_MAX);
      const row = await lockedReview(tx, principal.accountId);
      const before = Number(row.reviewed_through_seq);
      const [head] = await tx.execute<{ last_seq: string | number }[]>(
        'SELECT last_seq FROM audit_chain_heads WHERE account_id = ?',
        [principal.accountId],
      );
      const headSeq = head ? Number(head.last_seq) : 0;
      const throughSeq = input.throughSeq;
      if (!Number.isInteger(throughSeq) || throughSeq < 1 || throughSeq > headSeq) {
        throw new BadUserInputError(
          `throughSeq must be a seq of the log, between 1 and the newest event's ${headSeq}`,
          'throughSeq',
        );
      }
      if (throughSeq <= before) {
        throw new BadUserInputError(`The log is already reviewed through seq ${before}`, 'throughSeq');
      }
      const covered = await this.unreviewed(tx, principal.accountId, before, row.important_actions, plan, throughSeq);
      await tx.execute(
        'UPDATE audit_reviews SET reviewed_through_seq = ?, reviewed_at = now(), reviewed_by = ?, note = ? WHERE account_id = ?',
        [throughSeq, principal.userId, note, principal.accountId],
      );
      await audit({
        action: REVIEWED_ACTION,
        target,
        changes: [{ field: 'reviewedThroughSeq', before, after: throughSeq }],
        metadata: {
          note,
          reviewedCount: covered.unreviewedCount,
          importantCount: covered.unreviewedImportantCount,
        },
      });
    });
  }

  /** Events after `afterSeq` (through `throughSeq`) the plan shows, reviews not counted. */
  private async unreviewed(
    em: EntityManager,
    accountId: string,
    afterSeq: number,
    importantActions: readonly string[],
    plan: Plan,
    throughSeq?: number,
  ): Promise<Pick<AuditReviewState, 'unreviewedCount' | 'unreviewedImportantCount' | 'oldestUnreviewedAt'>> {
    const important = actionsMatch(importantActions, 'importantActions');
    const cutoff = retentionCutoff(plan);
    const params: unknown[] = [...important.params, accountId, afterSeq];
    let sql = `SELECT count(*) AS unreviewed, count(*) FILTER (WHERE ${important.sql}) AS important,
                      min(occurred_at) AS oldest
                 FROM audit_events WHERE account_id = ? AND seq > ? AND ${NOT_A_REVIEW}`;
    if (throughSeq !== undefined) {
      sql += ' AND seq <= ?';
      params.push(throughSeq);
    }
    if (cutoff) {
      sql += ' AND occurred_at >= ?';
      params.push(cutoff);
    }
    const [counts] = await em.execute<{ unreviewed: string; important: string; oldest: Date | null }[]>(sql, params);
    return {
      unreviewedCount: Number(counts!.unreviewed),
      unreviewedImportantCount: Number(counts!.important),
      oldestUnreviewedAt: counts!.oldest ? new Date(counts!.oldest) : null,
    };
  }
}

/** Checked, de-duplicated important action patterns, in the order given. */
function importantActionsOf(actions: readonly string[]): string[] {
  if (actions.length > MAX_IMPORTANT_ACTIONS) {
    throw new BadUserInputError(`actions accepts at most ${MAX_IMPORTANT_ACTIONS} patterns`, 'actions');
  }
  actions.forEach((action, index) => {
    if (action.length > PATTERN_MAX) {
      throw new BadUserInputError(`actions[${index}] must be at most ${PATTERN_MAX} characters`, `actions[${index}]`);
    }
    actionsMatch([action], `actions[${index}]`);
  });
  return [...new Set(actions)];
}

/** A PostgreSQL array literal of action patterns (checked: no quotes or backslashes). */
function textArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value}"`).join(',')}}`;
}
