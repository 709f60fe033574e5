import { useState } from 'react';
import { useClient } from 'urql';
import {
  type AuditEventFilter,
  type AuditExportFormat,
  type ExportAuditMutation,
  ExportAuditDocument,
  type VerifyChainQuery,
  VerifyChainDocument,
} from '../gql/graphql';
import { errorMessage } from '../shared/client';
import { formatCount, formatDateTime } from '../shared/format';

/** Exports the log under the current filters as CSV or NDJSON; shows the signed download link. */
export function ExportControl({ filter }: { filter: AuditEventFilter }) {
  const client = useClient();
  const [format, setFormat] = useState<AuditExportFormat>('CSV');
  const [created, setCreated] = useState<NonNullable<ExportAuditMutation['createAuditExport']> | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const start = async () => {
    setBusy(true);
    setError('');
    setCreated(null);
    const result = await client.mutation(ExportAuditDocument, { input: { format, filter } }).toPromise();
    setBusy(false);
    if (result.error || !result.data?.createAuditExport) return setError(errorMessage(result.error));
    setCreated(result.data.createAuditExport);
  };

  return (
    <div className="tool">
      <div className="toolbar">
        <label htmlFor="export-format">Export as</label>
        <select
          id="export-format"
          value={format}
          onChange={(event) => setFormat(event.target.value as AuditExportFormat)}
        >
          <option value="CSV">CSV</option>
          <option value="NDJSON">NDJSON</option>
        </select>
        <button type="button" className="button" onClick={start} disabled={busy}>
          {busy ? 'Preparing…' : 'Export'}
        </button>
      </div>
      <div aria-live="polite">
        {created && (
          <p className="alert alert-info">
            <a href={created.downloadUrl} download>
              Download {created.format === 'CSV' ? 'CSV' : 'NDJSON'} export
            </a>{' '}
            <span className="muted">(link valid until {formatDateTime(created.expiresAt)})</span>
          </p>
        )}
        {error && <p className="alert alert-error">{error}</p>}
      </div>
    </div>
  );
}

/** Recomputes the hash chain on the server and shows its verdict. */
export function VerifyChainControl() {
  const client = useClient();
  const [verdict, setVerdict] = useState<NonNullable<VerifyChainQuery['verifyAuditChain']> | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const verify = async () => {
    setBusy(true);
    setError('');
    const result = await client.query(VerifyChainDocument, {}, { requestPolicy: 'network-only' }).toPromise();
    setBusy(false);
    if (result.error || !result.data?.verifyAuditChain) return setError(errorMessage(result.error));
    setVerdict(result.data.verifyAuditChain);
  };

  return (
    <div className="tool">
      <div className="toolbar">
        <button type="button" className="button" onClick={verify} disabled={busy}>
          {busy ? 'Verifying…' : 'Verify chain'}
        </button>
        <span role="status">
          {verdict &&
            (verdict.ok ? (
              <span className="verdict-ok">✓ Chain intact: {formatCount(verdict.checkedCount)} events verified</span>
            ) : (
              <span className="verdict-broken">
                ✗ Chain broken at event #{verdict.firstBrokenSeq}
                {verdict.reason ? ` (${verdict.reason})` : ''}: {formatCount(verdict.brokenRangeCount)} broken{' '}
                {verdict.brokenRangeCount === 1 ? 'range' : 'ranges'} in {formatCount(verdict.checkedCount)} events
              </span>
            ))}
          {error && <span className="verdict-broken">{error}</span>}
        </span>
      </div>
    </div>
  );
}
