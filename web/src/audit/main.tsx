import { mountSettingsPage } from '../shared/shell';

mountSettingsPage('/app/settings/audit', () => <h1>Audit log</h1>);
