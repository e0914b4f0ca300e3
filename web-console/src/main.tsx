import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { initI18n } from './i18n/index.js';
import './styles.css';

initI18n();
const root = document.getElementById('root');
if (!root) throw new Error('console: #root missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
