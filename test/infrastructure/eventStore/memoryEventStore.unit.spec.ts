import { createMemoryEventStore } from '../../../src/infrastructure/eventStore/memory/memoryEventStore.ts';
import { eventStoreConformance } from './conformance.ts';

eventStoreConformance('memory', () => ({
  open: () => Promise.resolve(createMemoryEventStore()),
  teardown: () => Promise.resolve(),
  dropConnections: 'the memory store has no connection to drop',
}));
