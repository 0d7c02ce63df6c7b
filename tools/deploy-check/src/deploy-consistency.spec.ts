/**
 * The deployment files must agree with the apps they deploy. No Docker engine or cluster
 * is needed: every check reads files. A failure message names the file and the setting.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { appFacts, listApps, read, ROOT, sameValue } from './workspace-facts';

/** The parts of docker-compose.yml these checks read. */
interface ComposeService {
  /** Every service but postgres has one. */
  build: {
    context: string;
    dockerfile: string;
    args: Record<string, string | number>;
  };
  environment: Record<string, string | number>;
  ports?: (string | number)[];
  expose?: (string | number)[];
  depends_on?: unknown;
  healthcheck?: { test: unknown };
  deploy?: { replicas?: number };
  container_name?: string;
  stop_grace_period?: string;
}

/** The parts of the Kubernetes manifests these checks read. */
interface K8sObject {
  kind: string;
  metadata: { name: string };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Container {
  image: string;
  ports: { containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: unknown; secretRef?: unknown }[];
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
}
interface K8sKinds {
  ConfigMap: K8sObject & { data: Record<string, string> };
  Secret: K8sObject & { stringData: Record<string, string> };
  Deployment: K8sObject & {
    spec: {
      replicas: number;
      template: {
        spec: {
          containers: Container[];
          terminationGracePeriodSeconds: number;
        };
      };
    };
  };
  HorizontalPodAutoscaler: K8sObject & {
    spec: {
      scaleTargetRef: unknown;
      metrics: { external: { metric: { name: string } } }[];
    };
  };
}

interface PackageJson {
  scripts: Record<string, string>;
  engines: { node: string };
}

const APP_SERVICES = ['schedule-api', 'scheduler', 'task-pretender'];
const dockerfile = read('docker/Dockerfile');
const packageJson = JSON.parse(read('package.json')) as PackageJson;
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const k8sFiles = [
  'schedule-api.yaml',
  'scheduler.yaml',
  'task-pretender.yaml',
  'config.yaml',
  'secret.yaml',
  'scheduler-hpa.yaml',
];
const k8s = k8sFiles.flatMap((f) =>
  parseAllDocuments(read(`deploy/k8s/${f}`), { merge: true }).map(
    (d) => d.toJSON() as K8sObject,
  ),
);

function byKind<K extends keyof K8sKinds>(kind: K): K8sKinds[K][] {
  return k8s.filter((doc) => doc.kind === kind) as K8sKinds[K][];
}

function defaultPort(app: string): number {
  const port = appFacts(app).env.get('PORT');
  if (typeof port !== 'number')
    throw new Error(
      `apps/${app}: cannot find the default of PORT in its config`,
    );
  return port;
}

/** Dockerfile instructions of the last stage (the image that runs). */
function runtimeStage(): string {
  const stages = dockerfile.split(/^FROM /m);
  return stages[stages.length - 1];
}

describe('the apps the deployment files refer to', () => {
  it('are exactly the three Nx server apps, each with a webpack build that writes its own package.json', () => {
    // The web UI is static files the API serves, not a service (docker/Dockerfile builds
    // it into the API's image).
    expect(
      listApps()
        .filter((app) => app !== 'schedule-ui')
        .sort(),
    ).toEqual([...APP_SERVICES].sort());
    for (const app of APP_SERVICES) {
      expect({
        app,
        webpack: appFacts(app).webpackBuild,
        packageJson: appFacts(app).generatesPackageJson,
      }).toEqual({
        app,
        webpack: true,
        packageJson: true,
      });
    }
  });

  it('each read PORT with a default and serve /health/live and /health/ready', () => {
    for (const app of APP_SERVICES) {
      expect({ app, port: typeof appFacts(app).env.get('PORT') }).toEqual({
        app,
        port: 'number',
      });
      for (const path of ['/health/live', '/health/ready'])
        expect({
          app,
          path,
          served: appFacts(app).healthPaths.has(path),
        }).toEqual({ app, path, served: true });
    }
  });
});

describe('docker/Dockerfile', () => {
  it('builds the app named by ARG APP the way CI does: npm ci, then nx build', () => {
    expect(read('.ci/run')).toMatch(/\bnpm ci\b/);
    expect(dockerfile).toMatch(/^ARG APP\s*$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npx nx build "?\$\{?APP\}?"?/m);
    expect(packageJson.scripts['build']).toMatch(/\bnx\b.*\bbuild\b/);
  });

  it('installs only the production dependencies Nx computed for the app', () => {
    expect(dockerfile).toMatch(/dist\/apps\/\$\{APP\}\/package-lock\.json/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it('uses a Node image that satisfies package.json engines', () => {
    const wantedMajor = Number(/(\d+)/.exec(packageJson.engines.node)?.[1]);
    const image = /^ARG NODE_IMAGE=node:(\d+)/m.exec(dockerfile);
    expect(Number(image?.[1])).toBeGreaterThanOrEqual(wantedMajor);
  });

  it('runs as a non-root user with NODE_ENV=production', () => {
    const user = /^USER\s+(\S+)/m.exec(runtimeStage())?.[1];
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(runtimeStage()).toMatch(/NODE_ENV=production/);
  });

  it('starts node in exec form, so SIGTERM reaches the app and not a shell', () => {
    expect(runtimeStage()).toMatch(/^CMD \["node", "main\.js"\]\s*$/m);
    expect(runtimeStage()).toMatch(/^STOPSIGNAL SIGTERM\s*$/m);
    expect(runtimeStage()).not.toMatch(/^ENTRYPOINT (?!\[)/m);
  });

  it('health-checks /health/live on each app\u2019s default port', () => {
    expect(runtimeStage()).toMatch(
      /^HEALTHCHECK .*CMD \["node", "healthcheck\.js"\]/m,
    );
    const script = read('docker/healthcheck.js');
    expect(script).toMatch(/\/health\/live/);
    const table = /DEFAULT_PORTS = \{([^}]*)\}/.exec(script)?.[1] ?? '';
    const ports = Object.fromEntries(
      [...table.matchAll(/['"]?([\w-]+)['"]?\s*:\s*(\d+)/g)].map((m) => [
        m[1],
        Number(m[2]),
      ]),
    );
    expect(ports).toEqual(
      Object.fromEntries(APP_SERVICES.map((app) => [app, defaultPort(app)])),
    );
  });

  it('keeps local installs and outputs out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of [
      '**/node_modules',
      'dist',
      '.data',
      '.git',
      '.nx',
      'coverage',
      'tmp',
    ])
      expect(ignored).toContain(entry);
    for (const needed of ['docker', 'apps', 'libs', 'package-lock.json'])
      expect(ignored).not.toContain(needed);
  });
});

describe('docker-compose.yml', () => {
  const services = compose.services;

  it('has PostgreSQL and one service per app', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['postgres', ...APP_SERVICES].sort(),
    );
  });

  it.each(APP_SERVICES)(
    'builds %s from docker/Dockerfile with APP naming that app',
    (app) => {
      const build = services[app].build;
      expect(existsSync(join(ROOT, build.context, build.dockerfile))).toBe(
        true,
      );
      expect(build.args).toMatchObject({ APP: app });
    },
  );

  it.each(APP_SERVICES)(
    'runs %s on its default port everywhere the port appears',
    (app) => {
      const service = services[app];
      const port = String(defaultPort(app));
      expect(String(service.build.args['PORT'])).toBe(port);
      expect(String(service.environment['PORT'])).toBe(port);
      const published = (service.ports ?? []).map((p) =>
        String(p).split(':').pop(),
      );
      const exposed = (service.expose ?? []).map(String);
      expect([...published, ...exposed]).toEqual([port]);
    },
  );

  it.each(APP_SERVICES)(
    'sets only variables %s reads, each defaulting to the app\u2019s own default',
    (app) => {
      const environment = services[app].environment;
      const reads = appFacts(app).env;
      const unknown = Object.keys(environment).filter(
        (name) => !reads.has(name),
      );
      expect({ app, unknown }).toEqual({ app, unknown: [] });
      let compared = 0;
      for (const [name, value] of Object.entries(environment)) {
        const text = String(value);
        const interpolated = /^\$\{[A-Z0-9_]+:-([^}]*)\}$/.exec(text);
        const appDefault = reads.get(name);
        // Composite values (DATABASE_URL built from POSTGRES_*) and defaults we cannot evaluate are skipped.
        if (appDefault === undefined || (text.includes('${') && !interpolated))
          continue;
        const written = interpolated ? interpolated[1] : text;
        expect({
          app,
          name,
          written,
          matches: sameValue(written, appDefault),
        }).toEqual({ app, name, written, matches: true });
        compared += 1;
      }
      expect(compared).toBeGreaterThan(0);
    },
  );

  it('gives every app that reads DATABASE_URL one pointing at the postgres service, after it is healthy', () => {
    for (const app of APP_SERVICES.filter((a) =>
      appFacts(a).env.has('DATABASE_URL'),
    )) {
      expect(String(services[app].environment['DATABASE_URL'])).toMatch(
        /^postgres:\/\/.*@postgres:5432\//,
      );
      expect(services[app].depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
      });
    }
    expect(JSON.stringify(services['postgres'].healthcheck?.test)).toMatch(
      /pg_isready/,
    );
  });

  it('runs three scheduler replicas with no fixed host port, container name or shared SCHEDULER_ID', () => {
    const scheduler = services['scheduler'];
    expect(scheduler.deploy?.replicas).toBe(3);
    expect(scheduler.ports).toBeUndefined();
    expect(scheduler.container_name).toBeUndefined();
    expect(scheduler.environment['SCHEDULER_ID']).toBeUndefined();
  });

  it('gives schedulers more time to stop than their own shutdown grace', () => {
    const graceMs = appFacts('scheduler').env.get('SHUTDOWN_GRACE_MS');
    const configured = /:-(\d+)\}/.exec(
      String(services['scheduler'].environment['SHUTDOWN_GRACE_MS'] ?? ''),
    )?.[1];
    const stopSeconds = Number(
      /^(\d+)s$/.exec(services['scheduler'].stop_grace_period ?? '')?.[1],
    );
    expect(stopSeconds * 1000).toBeGreaterThan(
      Number(configured ?? graceMs ?? 0),
    );
  });

  it('.env.example only names variables the compose file uses', () => {
    const used = new Set(
      [...read('docker-compose.yml').matchAll(/\$\{([A-Z0-9_]+)/g)].map(
        (m) => m[1],
      ),
    );
    const listed = [
      ...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm),
    ].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(0);
    // COMPOSE_* are read by Compose itself.
    expect(
      listed.filter((name) => !used.has(name) && !name.startsWith('COMPOSE_')),
    ).toEqual([]);
  });
});

describe('deploy/k8s', () => {
  const configMap = byKind('ConfigMap')[0].data;
  const secret = byKind('Secret')[0].stringData;
  const deployments = byKind('Deployment');
  const deployment = (name: string) => {
    const found = deployments.find((d) => d.metadata.name === name);
    if (!found) throw new Error(`deploy/k8s: no Deployment named ${name}`);
    return found;
  };

  it('has a Deployment per app', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      [...APP_SERVICES].sort(),
    );
  });

  it.each(APP_SERVICES)(
    '%s: env names the app reads, its default port, probes on served paths',
    (app) => {
      const container = deployment(app).spec.template.spec.containers[0];
      const env = container.env ?? [];
      expect(container.image).toBe(`scheduleman/${app}`);
      const fromRefs = (container.envFrom ?? []).flatMap((ref) =>
        Object.keys(ref.configMapRef ? configMap : ref.secretRef ? secret : {}),
      );
      const names = [...env.map((e) => e.name), ...fromRefs];
      expect({
        app,
        unknown: names.filter((n) => !appFacts(app).env.has(n)),
      }).toEqual({ app, unknown: [] });
      // A value written out is meant as an example of the default, not a silent change of it.
      for (const { name, value } of [
        ...env,
        ...Object.entries(configMap).map(([name, value]) => ({ name, value })),
      ]) {
        const appDefault = appFacts(app).env.get(name);
        if (
          typeof value !== 'string' ||
          appDefault === undefined ||
          !appFacts(app).env.has(name)
        )
          continue;
        expect({
          app,
          name,
          value,
          matches: sameValue(value, appDefault),
        }).toEqual({ app, name, value, matches: true });
      }
      expect(container.ports[0].containerPort).toBe(defaultPort(app));
      const port = env.find((e) => e.name === 'PORT');
      expect(port?.value).toBe(String(defaultPort(app)));
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      for (const probe of ['readinessProbe', 'livenessProbe'] as const)
        expect(appFacts(app).healthPaths).toContain(
          container[probe].httpGet.path,
        );
    },
  );

  it('names each scheduler pod by the downward API and lets it finish its shutdown grace', () => {
    const scheduler = deployment('scheduler');
    const pod = scheduler.spec.template.spec;
    const env = pod.containers[0].env ?? [];
    expect(scheduler.spec.replicas).toBe(3);
    expect(env.find((e) => e.name === 'SCHEDULER_ID')?.valueFrom).toEqual({
      fieldRef: { fieldPath: 'metadata.name' },
    });
    const graceMs = Number(
      env.find((e) => e.name === 'SHUTDOWN_GRACE_MS')?.value ??
        appFacts('scheduler').env.get('SHUTDOWN_GRACE_MS'),
    );
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(graceMs);
  });

  it('autoscales the scheduler Deployment on metrics the scheduler exports', () => {
    const hpa = byKind('HorizontalPodAutoscaler')[0].spec;
    expect(hpa.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'scheduler',
    });
    const metricNames = hpa.metrics.map((m) => m.external.metric.name);
    const adapter = read('deploy/k8s/prometheus-adapter-values.yaml');
    expect(metricNames.length).toBeGreaterThan(0);
    for (const name of metricNames) {
      expect({
        name,
        exported: appFacts('scheduler').source.includes(`'${name}'`),
      }).toEqual({ name, exported: true });
      expect({ name, adapted: adapter.includes(`as: ${name}`) }).toEqual({
        name,
        adapted: true,
      });
    }
  });

  it('lists every manifest in kustomization.yaml', () => {
    const { resources } = parse(read('deploy/k8s/kustomization.yaml')) as {
      resources: string[];
    };
    expect([...resources].sort()).toEqual(
      ['namespace.yaml', ...k8sFiles].sort(),
    );
  });
});

describe('docs/operations.md', () => {
  it('states each app\u2019s own defaults in its configuration table', () => {
    const doc = read('docs/operations.md');
    let compared = 0;
    for (const app of APP_SERVICES) {
      const section =
        doc.split(new RegExp(`^### ${app}\\b.*$`, 'm'))[1]?.split(/^#/m)[0] ??
        '';
      for (const row of section.matchAll(
        /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|.*\|\s*([^|]*?)\s*\|\s*$/gm,
      )) {
        const [, name, cell] = row;
        const appDefault = appFacts(app).env.get(name);
        const written = /^`?([\w.]+)`?/.exec(cell)?.[1];
        if (appDefault === undefined || written === undefined) continue;
        expect({
          app,
          name,
          cell,
          matches: sameValue(written, appDefault),
        }).toEqual({ app, name, cell, matches: true });
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('names only metrics the scheduler exports', () => {
    const named = new Set(
      [
        ...read('docs/operations.md').matchAll(/\bscheduleman_[a-z_]+[a-z]\b/g),
      ].map((m) => m[0]),
    );
    const unknown = [...named].filter(
      (name) =>
        name !== 'scheduleman_wakeup' &&
        !appFacts('scheduler').source.includes(`'${name}'`),
    );
    expect(named.size).toBeGreaterThan(3);
    expect(unknown).toEqual([]);
  });

  it('documents every variable every app reads', () => {
    const doc = read('docs/operations.md');
    const missing = APP_SERVICES.flatMap((app) =>
      [...appFacts(app).env.keys()]
        .filter((n) => !doc.includes(`\`${n}\``))
        .map((n) => `${app}: ${n}`),
    );
    expect(missing).toEqual([]);
  });
});
