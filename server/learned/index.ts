export { FORMAT, LearnedState } from './document.ts';
export { exportLearned, importLearned, type LearnedParts } from './state.ts';
export { learnedStateRoutes } from './routes.ts';
