import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { repositoryPath } from './composeFile.ts';

// The alert rules, their unit tests (alerts.test.yml), Prometheus's configuration and Alertmanager's,
// through the tools of those projects (Debian packages `prometheus` and `prometheus-alertmanager`;
// the CI workflow installs them). Where a tool is missing its checks are skipped, saying so.

const has = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;

const run = (tool: string, args: readonly string[], cwd = repositoryPath('.')): string => {
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed:\n${output}`);
  return output;
};

describe('the alerting configuration, checked by promtool and amtool', () => {
  describe('Prometheus (promtool)', function () {
    before(function () {
      if (!has('promtool')) {
        console.log('    skipped: promtool is not installed (apt-get install prometheus)');
        this.skip();
      }
    });

    it('finds every alert rule well-formed', () => {
      expect(run('promtool', ['check', 'rules', 'ops/prometheus/alerts.yml'])).to.include('SUCCESS');
    });

    it("passes the rules' unit tests: projections, reactors, jobs and rate limits", () => {
      expect(run('promtool', ['test', 'rules', 'alerts.test.yml'], repositoryPath('ops/prometheus'))).to.include('SUCCESS');
    });

    it('accepts prometheus.yml with the rules where compose mounts them', () => {
      // The rule file's path is the container's; here it is the repository's copy.
      const folder = mkdtempSync(join(tmpdir(), 'fastflix-prometheus-'));
      try {
        const config = readFileSync(repositoryPath('ops/prometheus/prometheus.yml'), 'utf8');
        expect(config).to.include('/etc/prometheus/alerts.yml');
        writeFileSync(
          join(folder, 'prometheus.yml'),
          config.replace('/etc/prometheus/alerts.yml', repositoryPath('ops/prometheus/alerts.yml')),
        );
        expect(run('promtool', ['check', 'config', join(folder, 'prometheus.yml')])).to.include('SUCCESS');
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it('refuses a rule file with a broken expression (the check can fail)', () => {
      const folder = mkdtempSync(join(tmpdir(), 'fastflix-prometheus-'));
      try {
        const broken = readFileSync(repositoryPath('ops/prometheus/alerts.yml'), 'utf8').replace(
          'absent(fastflix_projection_stopped)',
          'absent(',
        );
        writeFileSync(join(folder, 'alerts.yml'), broken);
        expect(() => execFileSync('promtool', ['check', 'rules', join(folder, 'alerts.yml')], { stdio: 'pipe' })).to.throw();
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });

  describe('Alertmanager (amtool)', function () {
    before(function () {
      if (!has('amtool')) {
        console.log('    skipped: amtool is not installed (apt-get install prometheus-alertmanager)');
        this.skip();
      }
    });

    it('accepts alertmanager.yml', () => {
      expect(run('amtool', ['check-config', 'ops/alertmanager/alertmanager.yml'])).to.include('SUCCESS');
    });

    it('routes a page and a ticket alike to the operators by mail', () => {
      // amtool prints the receiver on its first line (and a warning about --alertmanager.url after it).
      for (const labels of [
        ['alertname=FastFlixProjectionStopped', 'severity=page', 'projection=ratings'],
        ['alertname=FastFlixReactorLagging', 'severity=ticket'],
      ]) {
        expect(
          run('amtool', ['config', 'routes', 'test', '--config.file', 'ops/alertmanager/alertmanager.yml', ...labels]).split('\n')[0],
        ).to.equal('operators-mail');
      }
    });
  });
});
