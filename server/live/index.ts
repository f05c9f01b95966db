// The live capability's public door: the wall screen's document and stream.
export { liveRoutes, type LiveOptions } from './routes.ts';
export { buildWall, narrowWall, type WallDeps } from './wall.ts';
export { WallStream, type StreamTiming } from './stream.ts';
export { WallDocument, WallQuery } from './schemas.ts';
