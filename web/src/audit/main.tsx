import { mountSettingsPage } from '../shared/shell';
import { AuditPage } from './audit-page';

mountSettingsPage('/app/settings/audit', (viewer) => <AuditPage viewer={viewer} />);
