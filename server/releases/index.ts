export { ReleaseBook, type Release, type StoredRun, type Decision } from './book.ts';
export { releaseRoutes } from './routes.ts';
export { judgeRun, compareRuns, type Criteria, type Judgement } from './judgement.ts';
