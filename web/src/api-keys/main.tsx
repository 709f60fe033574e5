import { mountSettingsPage } from '../shared/shell';
import { ApiKeysPage } from './api-keys-page';

mountSettingsPage('/app/settings/api-keys', (viewer) => <ApiKeysPage viewer={viewer} />);
