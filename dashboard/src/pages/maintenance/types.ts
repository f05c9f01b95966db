/** A maintenance window as GET /api/v1/maintenance returns it. */
export interface MaintenanceWindow {
  id: string;
  name: string;
  start: string;
  end: string;
  environments: string[];
  targets: string[];
  message: { ja: string; en: string };
  source: 'config' | 'api';
  created_by: string;
  updated_by: string | null;
}
