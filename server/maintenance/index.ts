// The maintenance capability's public door.
export { resolveMaintenance } from './resolve.ts';
export { MaintenanceCalendar, MAX_WINDOW_MS, type NewWindow } from './calendar.ts';
export { maintenanceRoutes, type MaintenanceRoutesOptions } from './routes.ts';
export { DEFAULT_MESSAGE, type Labels, type MaintenanceDefinition, type MaintenanceWindow, type Message } from './types.ts';
export { MaintenanceSchema } from './config.ts';
