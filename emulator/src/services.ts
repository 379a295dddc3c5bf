import type { EventsService } from './events';
import type { FunctionsService } from './functions';
import type { EmulatorState } from './state';
import type { WorkRequestRunner } from './work-requests';

/** What route handlers can reach. */
export interface Services {
  state: EmulatorState;
  workRequests: WorkRequestRunner;
  functions: FunctionsService;
  events: EventsService;
}
