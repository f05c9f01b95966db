import { get, qs } from '../api.ts';
import type { Marker } from './TimeChart.svelte';

/** The releases of an environment inside [from, to) as chart markers; none when the history cannot be read (the chart still draws). */
export async function releaseMarkers(environment: string, from: number, to: number): Promise<Marker[]> {
  try {
    const answer = await get<{ releases: { version: string; released_at: string }[] }>(`/api/v1/releases${qs({ environment, from: new Date(from).toISOString(), to: new Date(to).toISOString() })}`);
    return answer.releases.map((r) => ({ at: Date.parse(r.released_at), label: r.version }));
  } catch {
    return [];
  }
}
