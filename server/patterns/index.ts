export { PatternMiner, type Cursor as MinerCursor } from './miner.ts';
export { Drain } from './drain.ts';
export { patternRoutes } from './routes.ts';
export { patternCatalogue, templateRegex, topPatterns } from './queries.ts';
