import { expect } from 'chai';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createProjectionMetrics } from '../../../src/infrastructure/metrics/metrics.ts';
import { startProjector } from '../../../src/infrastructure/projector/startProjector.ts';
import type { RunningRole } from '../../../src/infrastructure/threads/roles.ts';
import { registerTracing } from '../../../src/infrastructure/tracing/startTracing.ts';
import { client, type Client } from '../../support/http.ts';
import { testLog } from '../../support/postgresServer.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp } from '../../support/scenario.ts';
import { startTestService, type TestService } from '../../support/testService.ts';
import { waitFor } from '../../support/waitFor.ts';

// The real SDK with an in-memory exporter (no network): the API role in this process, and the
// projector started in this process too rather than in its thread, so that one provider sees both.

describe('tracing a request through its command, its append and the projection that applies it', function () {
  this.timeout(30_000);
  const exporter = new InMemorySpanExporter();
  let tracing: { shutdown: () => Promise<void> };
  let running: TestService;
  let projector: RunningRole;
  let api: Client;

  before(async () => {
    tracing = await registerTracing([new SimpleSpanProcessor(exporter)], 'fastflix-test');
    running = await startTestService({ ...adminEnvironment, FASTFLIX_ROLES: 'api' });
    projector = await startProjector(
      { databaseUrl: running.database.url.href, eventStoreUrl: undefined, poolSize: 4 },
      testLog,
      createProjectionMetrics(),
    );
    api = client(running.base);
  });

  after(async () => {
    await projector.stop();
    await running.stop();
    await tracing.shutdown();
  });

  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

  it('puts the request, its command and its append in one trace, and the ratings batch links to it', async () => {
    const admin = await signInAsAdmin(api);
    const { movieId } = await addMovie(api, admin.accessToken);
    const viewer = await signUp(api);
    const requestId = `trace-test-${Date.now()}`;
    const rated = await api.put(
      `/movies/${movieId}/rating`,
      { score: 4 },
      { token: viewer.accessToken, headers: { 'X-Request-Id': requestId } },
    );
    expect(rated.status, JSON.stringify(rated.body)).to.equal(200);
    const position = String(rated.body.position);

    await waitFor(() => spans().some((span) => span.name === 'PUT /movies/:id/rating'));
    const request = spans().find((span) => span.kind === SpanKind.SERVER && span.attributes['fastflix.correlation_id'] === requestId);
    expect(request?.name).to.equal('PUT /movies/:id/rating');
    expect(request?.attributes['http.route']).to.equal('/movies/:id/rating');
    expect(request?.attributes['http.response.status_code']).to.equal(200);
    expect(request?.attributes['enduser.id']).to.equal(viewer.userId);
    const traceId = request?.spanContext().traceId;
    const inTrace = spans().filter((span) => span.spanContext().traceId === traceId);

    const command = inTrace.find((span) => span.name === 'command RateMovie');
    expect(command, inTrace.map((span) => span.name).join(', ')).to.not.equal(undefined);
    expect(parentOf(command as ReadableSpan)).to.equal(request?.spanContext().spanId);
    expect(command?.attributes['fastflix.correlation_id']).to.equal(requestId);
    expect(command?.attributes['fastflix.command.outcome']).to.equal('done');

    const append = inTrace.find((span) => span.name === 'eventStore.append');
    expect(parentOf(append as ReadableSpan)).to.equal(command?.spanContext().spanId);
    expect(append?.attributes['fastflix.event.position']).to.equal(position);

    // The event carries the append's trace context, and keeps it as stored.
    const [event] = await running.service.eventStore.readAll({ fromPosition: BigInt(position), maxCount: 1 });
    expect(event?.metadata.traceparent).to.equal(`00-${traceId}-${append?.spanContext().spanId}-01`);

    // The ratings projection applies it later in a batch of its own trace, linked to the request's.
    const linksTheRequest = (span: ReadableSpan): boolean => span.links.some((link) => link.context.traceId === traceId);
    await waitFor(() => spans().some((span) => span.name === 'projection ratings batch' && linksTheRequest(span)));
    const batch = spans().find((span) => span.name === 'projection ratings batch' && linksTheRequest(span));
    expect(batch?.spanContext().traceId).to.not.equal(traceId);
    const link = batch?.links.find((candidate) => candidate.context.traceId === traceId);
    expect(link?.context.spanId).to.equal(append?.spanContext().spanId);
    expect(link?.attributes?.['fastflix.correlation_id']).to.equal(requestId);
    expect(batch?.attributes['fastflix.projection']).to.equal('ratings');
  });

  it('continues the trace a caller sends in traceparent', async () => {
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const reply = await api.get('/movies?limit=1', { headers: { traceparent: `00-${callerTrace}-b7ad6b7169203331-01` } });
    expect(reply.status).to.equal(200);
    const isRequest = (span: ReadableSpan): boolean => span.kind === SpanKind.SERVER && span.spanContext().traceId === callerTrace;
    await waitFor(() => spans().some(isRequest));
    const request = spans().find(isRequest);
    expect(request?.name).to.equal('GET /movies');
    expect(parentOf(request as ReadableSpan)).to.equal('b7ad6b7169203331');
  });

  it('names a request no route matched as unmatched, not by its path', async () => {
    const reply = await api.get('/no/such/path/12345');
    expect(reply.status).to.equal(404);
    await waitFor(() => spans().some((span) => span.name === 'GET unmatched'));
    expect(spans().some((span) => span.name.includes('12345'))).to.equal(false);
  });
});
