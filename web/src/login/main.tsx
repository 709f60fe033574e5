import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { createApiClient } from '../shared/client';
import { LoginPage } from './login-page';
import '../styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider value={createApiClient()}>
      <LoginPage />
    </Provider>
  </StrictMode>,
);
