// The explorer and contributor dashboard: one page per module in ./pages.
import { startRouter } from './router.ts';
import { datanets } from './pages/datanets.ts';
import { earnings } from './pages/earnings.ts';
import { home } from './pages/home.ts';
import { log } from './pages/log.ts';
import { models } from './pages/models.ts';
import { playground } from './pages/playground.ts';
import { receipts } from './pages/receipts.ts';
import './style.css';

startRouter({ '': home, datanets, models, playground, earnings, receipts, log }, document.getElementById('main')!, document.getElementById('nav')!);
