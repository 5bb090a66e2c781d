import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { readsVariable } from './configurationVariables.ts';
import { isRecord, listAt, publishedPorts, readYaml, recordAt, repositoryPath } from './composeFile.ts';

// .github/workflows/ci.yml cannot run here: it is checked by parsing it. Its service containers must
// be the servers the suites read from the environment, on the ports its URLs name, at the versions
// compose runs in production.

const workflow = readYaml('.github/workflows/ci.yml');
const jobs = recordAt(workflow, 'jobs');
const test = recordAt(jobs, 'test');
const services = recordAt(test, 'services');
const env = recordAt(test, 'env');
const compose = recordAt(readYaml('docker-compose.yml'), 'services');
const steps = Object.values(jobs).flatMap((job) => listAt(job, 'steps'));
const commands = steps.map((step) => (isRecord(step) ? String(step.run ?? step.uses) : '')).join('\n');

/** The variable, the container service its URL must reach, and the URL schemes its reader accepts. */
const servers = [
  { variable: 'DATABASE_URL', service: 'postgres', schemes: ['postgres:', 'postgresql:'] },
  { variable: 'REDIS_URL', service: 'redis', schemes: ['redis:'] },
  { variable: 'EVENTSTORE_URL', service: 'eventstore', schemes: ['esdb:', 'kurrentdb:'] },
  { variable: 'MONGODB_URL', service: 'mongo', schemes: ['mongodb:'] },
] as const;

describe('.github/workflows/ci.yml', () => {
  it('runs on pushes to main and on pull requests', () => {
    const on = recordAt(workflow, 'on');
    expect(on).to.have.property('pull_request');
    expect(recordAt(on, 'push').branches).to.deep.equal(['main']);
  });

  for (const { variable, service, schemes } of servers) {
    it(`points ${variable} at its ${service} service container, on a port the container publishes`, () => {
      const url = new URL(String(env[variable]));
      expect(schemes).to.include(url.protocol);
      expect(['127.0.0.1', 'localhost']).to.include(url.hostname);
      const ports = publishedPorts(recordAt(services, service)).map(([host]) => host);
      expect(ports).to.include(url.port);
      expect(readsVariable(variable), `${variable} is a variable FastFlix reads`).to.equal(true);
    });

    it(`runs ${service} at the version compose runs`, () => {
      expect(recordAt(services, service).image).to.equal(recordAt(compose, service).image);
    });
  }

  it('gives each suite that reads a server from the environment that variable', () => {
    // The suites that skip themselves without a server: they must not be skipped here.
    const suite = readFileSync(repositoryPath('test/infrastructure/eventStore/eventStoreDbEventStore.int.spec.ts'), 'utf8');
    expect(suite).to.include('process.env.EVENTSTORE_URL');
    const database = readFileSync(repositoryPath('test/support/postgresServer.ts'), 'utf8');
    expect(database).to.include('process.env.DATABASE_URL');
    expect(env).to.include.keys('EVENTSTORE_URL', 'DATABASE_URL', 'MONGODB_URL', 'REDIS_URL');
  });

  it('lets the tests in without a password: PostgreSQL trusts, and its database is the one the URL names', () => {
    const postgres = recordAt(recordAt(services, 'postgres'), 'env');
    expect(postgres.POSTGRES_HOST_AUTH_METHOD).to.equal('trust');
    expect(new URL(String(env.DATABASE_URL)).pathname).to.equal(`/${String(postgres.POSTGRES_DB)}`);
  });

  it('waits for every service container to be healthy before the steps run', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(isRecord(service) ? String(service.options) : '', name).to.include('--health-cmd');
    }
  });

  it('runs typecheck, lint and the tests, builds the image and audits the dependencies', () => {
    const scripts = recordAt(JSON.parse(readFileSync(repositoryPath('package.json'), 'utf8')), 'scripts');
    for (const script of ['typecheck', 'lint']) {
      expect(commands).to.include(`npm run ${script}`);
      expect(scripts).to.have.property(script);
    }
    expect(commands).to.match(/^npm test$/m);
    expect(commands).to.include('npm ci');
    expect(commands).to.include('docker build -f ops/Dockerfile');
    expect(commands).to.match(/npm audit\b/);
    expect(commands).to.include('prometheus-alertmanager');
  });
});
