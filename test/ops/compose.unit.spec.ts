import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { environmentVariables } from '../../src/infrastructure/config/config.ts';
import {
  dependenciesOf,
  interpolatedVariables,
  isRecord,
  listAt,
  publishedPorts,
  readYaml,
  recordAt,
  repositoryPath,
} from './composeFile.ts';

// No Docker engine runs here (nor `docker compose config`), so docker-compose.yml is checked by
// parsing it: what Compose would refuse, and what would start but could never work.

const compose = readYaml('docker-compose.yml');
const services = recordAt(compose, 'services');
const named = Object.entries(services).map(([name, service]) => {
  if (!isRecord(service)) throw new Error(`service ${name} is not a mapping`);
  return [name, service] as const;
});
const fastflix = named.filter(([, service]) => service.build !== undefined);
const readme = readFileSync(repositoryPath('README.md'), 'utf8');
const tableRows = (readme.split('\n## Configuration')[1]?.split('\n## ')[0] ?? '').split('\n').filter((line) => line.startsWith('| `'));

describe('docker-compose.yml', () => {
  it('runs the whole shape: two API replicas behind a load balancer, the other roles and every backing service', () => {
    expect(Object.keys(services)).to.include.members([
      'lb',
      'api-1',
      'api-2',
      'projector',
      'scheduler',
      'migrate',
      'eventstore',
      'postgres',
      'redis',
      'mongo',
      'mailpit',
      'prometheus',
      'alertmanager',
      'grafana',
      'jaeger',
    ]);
  });

  it('gives every service an image or a build whose Dockerfile exists', () => {
    for (const [name, service] of named) {
      if (typeof service.image === 'string') expect(service.image, name).to.match(/^[a-z0-9./_-]+:[A-Za-z0-9._-]+$/);
      else expect(existsSync(repositoryPath(String(recordAt(service, 'build').dockerfile))), name).to.equal(true);
    }
  });

  it('has each dependency name a service, and each service waited for as healthy carry a health check', () => {
    for (const [name, service] of named) {
      for (const [target, condition] of dependenciesOf(service)) {
        expect(services, `${name} depends on ${target}`).to.have.property(target);
        expect(['service_started', 'service_healthy', 'service_completed_successfully'], `${name} → ${target}`).to.include(condition);
        const dependency = services[target];
        if (condition === 'service_healthy') expect(isRecord(dependency) && dependency.healthcheck, `${target}'s health check`).to.be.ok;
        if (condition === 'service_completed_successfully')
          expect(isRecord(dependency) && dependency.command, target).to.deep.equal(['migrate']);
      }
    }
  });

  it('gives every long-running service a health check', () => {
    for (const [name, service] of named.filter(([name]) => name !== 'migrate')) {
      const test: unknown = recordAt(service, 'healthcheck').test;
      expect(Array.isArray(test) && ['CMD', 'CMD-SHELL'].includes(String(test[0])), name).to.equal(true);
    }
  });

  it('orders start-up without a cycle', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`dependency cycle: ${[...path, name].join(' → ')}`);
      visiting.add(name);
      const service = services[name];
      for (const target of isRecord(service) ? dependenciesOf(service).keys() : []) visit(target, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const [name] of named) visit(name, []);
  });

  it('publishes each host port once', () => {
    const hostPorts = named.flatMap(([, service]) => publishedPorts(service).map(([host]) => host));
    expect(hostPorts.filter((port, index) => hostPorts.indexOf(port) !== index)).to.deep.equal([]);
    // The API replicas are reached through the load balancer only.
    for (const [name, service] of fastflix) expect(publishedPorts(service), name).to.deep.equal([]);
    expect(publishedPorts(recordAt(services, 'lb'))).to.deep.equal([['3000', '80']]);
  });

  it('mounts only files and folders that are in the repository', () => {
    for (const [name, service] of named) {
      for (const volume of Array.isArray(service.volumes) ? service.volumes.map(String) : []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./')) expect(existsSync(repositoryPath(source)), `${name} mounts ${source}`).to.equal(true);
        else expect(recordAt(compose, 'volumes'), `${name}'s volume ${source}`).to.have.property(source);
      }
    }
  });

  it('runs FastFlix commands and roles the CLI has, each process reading only variables of the configuration table', () => {
    const roles = new Set<string>();
    for (const [name, service] of fastflix) {
      const command = service.command;
      expect(Array.isArray(command), name).to.equal(true);
      const [verb, flag, role] = (command as unknown[]).map(String);
      expect(['serve', 'migrate'], name).to.include(verb);
      if (verb === 'serve') {
        expect(flag, name).to.equal('--role');
        expect(['api', 'projector', 'scheduler'], name).to.include(role);
        roles.add(role ?? '');
      }
      for (const variable of Object.keys(recordAt(service, 'environment'))) {
        expect(environmentVariables, `${name}: ${variable} is read nowhere in src/infrastructure/config`).to.include(variable);
        expect(
          tableRows.some((row) => row.includes(`\`${variable}\``)),
          `${name}: ${variable} is not in the README's configuration table`,
        ).to.equal(true);
      }
      expect(recordAt(service, 'environment'), name).to.include({ NODE_ENV: 'production' });
    }
    expect([...roles].sort()).to.deep.equal(['api', 'projector', 'scheduler']);
  });

  it('sends the spans of every FastFlix process to Jaeger over OTLP/HTTP', () => {
    const jaegerPorts = publishedPorts(recordAt(services, 'jaeger')).map(([, container]) => container);
    for (const [name, service] of fastflix) {
      const endpoint = new URL(String(recordAt(service, 'environment').OTEL_EXPORTER_OTLP_ENDPOINT));
      expect(endpoint.hostname, name).to.equal('jaeger');
      expect(jaegerPorts).to.include(endpoint.port);
    }
  });

  it('names every variable it takes from the environment in .env.example', () => {
    const example = readFileSync(repositoryPath('.env.example'), 'utf8');
    const offered = new Set([...example.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((match) => match[1]));
    const used = interpolatedVariables(readFileSync(repositoryPath('docker-compose.yml'), 'utf8'));
    expect(used.size).to.be.greaterThan(0);
    expect([...used].filter((variable) => !offered.has(variable))).to.deep.equal([]);
  });

  it('points nginx at both API replicas with sticky routing and WebSocket upgrades passed', () => {
    const nginx = readFileSync(repositoryPath('ops/nginx/nginx.conf'), 'utf8');
    const upstreams = [...nginx.matchAll(/^\s*server\s+([a-z0-9-]+):(\d+)/gm)].map((match) => `${match[1]}:${match[2]}`);
    expect(upstreams).to.deep.equal(['api-1:3000', 'api-2:3000']);
    expect(nginx).to.match(/^\s*ip_hash;/m);
    expect(nginx).to.include('proxy_set_header Upgrade $http_upgrade;');
    expect(nginx).to.include('proxy_set_header Connection $connection_upgrade;');
  });

  it('has Prometheus scrape every FastFlix process and alert through Alertmanager, which mails Mailpit', () => {
    const prometheus = readYaml('ops/prometheus/prometheus.yml');
    const statics = listAt(prometheus, 'scrape_configs').flatMap((scrape) => listAt(scrape, 'static_configs'));
    expect(statics.flatMap((entry) => listAt(entry, 'targets'))).to.have.members(
      fastflix.filter(([name]) => name !== 'migrate').map(([name]) => `${name}:3000`),
    );
    expect(JSON.stringify(recordAt(prometheus, 'alerting').alertmanagers)).to.include('"alertmanager:9093"');
    const smarthost = String(recordAt(readYaml('ops/alertmanager/alertmanager.yml'), 'global').smtp_smarthost);
    expect(smarthost).to.equal('mailpit:1025');
    expect(publishedPorts(recordAt(services, 'mailpit')).map(([, container]) => container)).to.include('1025');
  });
});
