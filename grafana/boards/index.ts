// Every board Grafana is provisioned with; build.ts writes one JSON file each.
import { annualBoard } from './annual.ts';
import { capacityBoard } from './capacity.ts';
import { logsBoard } from './logs.ts';
import { sloBoard } from './slo.ts';
import type { Board } from './kit.ts';

export const boards: Board[] = [sloBoard, capacityBoard, annualBoard, logsBoard];
