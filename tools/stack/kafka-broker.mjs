#!/usr/bin/env node
// Local Apache Kafka (KRaft, combined broker+controller) for development and tests: one node, or
// with KAFKA_BROKER_COUNT=3 a replicated cluster of three (replication factor 3, min.insync.replicas 2).
//
// No Docker: the broker runs from the official jars on Maven Central, fetched once with Maven
// into a cache outside the repository, and started as a detached `java` process.
//
//   node tools/stack/kafka-broker.mjs up|down|status|reset|classpath
//
// See tools/stack/README.md for the environment variables and the choice of KAFKA_VERSION.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs'; // CommonJS package: use the default export
import { stackCacheRoot } from './cache-dir.mjs';

const { Kafka, logLevel } = kafkajs;

/** The pinned broker version (see docs/local-stack.md for the evidence). Env `KAFKA_VERSION` overrides it. */
export const KAFKA_VERSION = '4.4.0';

/**
 * Default ports per profile; env KAFKA_PORT / KAFKA_CONTROLLER_PORT override them.
 * @type {Record<string, {port: number, controllerPort: number} | undefined>}
 */
const PROFILES = {
  dev: { port: 9092, controllerPort: 9093 },
  test: { port: 19092, controllerPort: 19093 },
  bench: { port: 29092, controllerPort: 29093 },
};

// KAFKA_START_TIMEOUT_MS: a broker on a heavily loaded machine can take longer than 90 s to answer.
const DEFAULT_START_TIMEOUT_MS = Number(process.env.KAFKA_START_TIMEOUT_MS ?? 90_000);
const STOP_GRACE_MS = 20_000;
const DEFAULT_HEAP_OPTS = '-Xms256m -Xmx768m';
/** Per node of a three-node cluster: three JVMs share the machine. */
const CLUSTER_HEAP_OPTS = '-Xms192m -Xmx512m';

export { stackCacheRoot };

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/**
 * @param {string | number} value
 * @param {string} name the variable it comes from, for the message
 */
function parsePort(value, name) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a TCP port number (1-65535), got "${value}"`);
  }
  return port;
}

/**
 * Resolves options + environment into the full broker configuration.
 * @param {{profile?: string, version?: string, port?: number, controllerPort?: number, nodes?: number,
 *          cacheDir?: string, env?: NodeJS.ProcessEnv}} [opts]
 */
export function resolveBrokerConfig(opts = {}) {
  const env = opts.env ?? process.env;
  const profile = opts.profile ?? env.STACK_PROFILE ?? 'dev';
  const defaults = PROFILES[profile];
  if (!defaults) {
    throw new Error(`Unknown stack profile "${profile}" (STACK_PROFILE must be "dev" or "test")`);
  }
  const version = opts.version ?? env.KAFKA_VERSION ?? KAFKA_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`KAFKA_VERSION must look like 4.4.0, got "${version}"`);
  }
  const port = parsePort(opts.port ?? env.KAFKA_PORT ?? defaults.port, 'KAFKA_PORT');
  const controllerPort = parsePort(opts.controllerPort ?? env.KAFKA_CONTROLLER_PORT ?? defaults.controllerPort, 'KAFKA_CONTROLLER_PORT');
  if (port === controllerPort) {
    throw new Error(`KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both ${port})`);
  }
  // A second client listener with SASL/SCRAM and ACLs (StandardAuthorizer), where a service's own
  // credentials can be tried against the ACLs generated from the contracts. The plaintext listener
  // stays open to everything (its ANONYMOUS principal is a super user) for local runs and tests.
  const saslPort = parsePort(env.KAFKA_SASL_PORT ?? port + 2, 'KAFKA_SASL_PORT');
  if (saslPort === port || saslPort === controllerPort) {
    throw new Error(`KAFKA_SASL_PORT must differ from KAFKA_PORT and KAFKA_CONTROLLER_PORT (${saslPort})`);
  }
  const cacheDir = opts.cacheDir ? path.resolve(opts.cacheDir) : stackCacheRoot(env);
  const stateDir = path.join(cacheDir, 'stack', profile);
  // KAFKA_BROKER_COUNT=3: a replicated cluster of three combined broker+controller nodes (a KRaft
  // quorum of three). Node 1 keeps the ports and files of the single broker; node n adds 10*(n-1)
  // to every port and keeps its files under node-<n>/.
  const count = Number(opts.nodes ?? env.KAFKA_BROKER_COUNT ?? 1);
  if (!Number.isInteger(count) || count < 1 || count > 5) throw new Error(`KAFKA_BROKER_COUNT must be 1 to 5, got "${count}"`);
  const nodes = Array.from({ length: count }, (_, i) => {
    const dir = i === 0 ? stateDir : path.join(stateDir, `node-${i + 1}`);
    return {
      id: i + 1,
      port: port + 10 * i,
      controllerPort: controllerPort + 10 * i,
      saslPort: saslPort + 10 * i,
      stateDir: dir,
      dataDir: path.join(dir, 'data'),
      logDir: path.join(dir, 'logs'),
      pidFile: path.join(dir, 'kafka.pid'),
      propsFile: path.join(dir, 'server.properties'),
    };
  });
  return {
    nodes,
    profile,
    version,
    port,
    controllerPort,
    saslPort,
    cacheDir,
    stateDir,
    dataDir: path.join(stateDir, 'data'),
    logDir: path.join(stateDir, 'logs'),
    pidFile: path.join(stateDir, 'kafka.pid'),
    infoFile: path.join(stateDir, 'kafka.json'),
    propsFile: path.join(stateDir, 'server.properties'),
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    saslBrokers: nodes.map((n) => `127.0.0.1:${n.saslPort}`).join(','),
    externalBrokers: env.KAFKA_BROKERS?.trim() || null,
    heapOpts: (env.KAFKA_HEAP_OPTS || (count > 1 ? CLUSTER_HEAP_OPTS : DEFAULT_HEAP_OPTS)).split(/\s+/).filter(Boolean),
  };
}

/** @typedef {ReturnType<typeof resolveBrokerConfig>} BrokerConfig */
/** @typedef {BrokerConfig['nodes'][number]} BrokerNode */
/** @typedef {(message: string) => void} Log */

// ---------------------------------------------------------------------------------------------
// Small helpers: files, locks, processes
// ---------------------------------------------------------------------------------------------

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {string} file
 * @returns {string | null} its text, null if it does not exist
 */
function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * @param {string} file
 * @returns {any} its JSON, null if it is missing or not JSON
 */
function readJson(file) {
  const text = readText(file);
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Last `lines` lines of `file`, looking only at what was written after byte `from`.
 * @param {string} file
 */
function tail(file, lines = 40, from = 0) {
  let text;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const start = Math.max(from, size - 256 * 1024);
      const buf = Buffer.alloc(Math.max(0, size - start));
      fs.readSync(fd, buf, 0, buf.length, start);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

const fileSize = (/** @type {string} */ file) => {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
};

/**
 * True if `pid` is a live (non-zombie) process.
 * @param {number} pid
 */
export function isProcessAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: exists but belongs to someone else; still "alive".
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EPERM') return false;
  }
  // A child we spawned and that has exited may linger as a zombie until reaped.
  const stat = readText(`/proc/${pid}/stat`);
  if (stat) {
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  }
  return true;
}

/**
 * Command line of a process ('' if unknown). Uses /proc on Linux, `ps` elsewhere.
 * @param {number} pid
 * @returns {string | Promise<string>}
 */
function processCommandLine(pid) {
  const proc = readText(`/proc/${pid}/cmdline`);
  if (proc != null) return proc.split('\0').join(' ');
  return new Promise((/** @type {(commandLine: string) => void} */ resolve) => {
    const ps = spawn('ps', ['-p', String(pid), '-o', 'command='], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    ps.stdout.on('data', (d) => (out += d));
    ps.on('error', () => resolve(''));
    ps.on('close', () => resolve(out.trim()));
  });
}

/**
 * True if `pid` is the broker node this tool started for this state dir (guards against pid reuse).
 * @param {number} pid
 * @param {{propsFile: string}} node
 */
async function isOurBroker(pid, node) {
  if (!isProcessAlive(pid)) return false;
  const cmd = await processCommandLine(pid);
  return cmd.includes('kafka.Kafka') && cmd.includes(node.propsFile);
}

/**
 * Reads a node's pid file; removes it (and returns null) if it is stale.
 * @param {{pidFile: string, propsFile: string}} node
 * @returns {Promise<number | null>}
 */
async function readOwnPid(node) {
  const text = readText(node.pidFile);
  if (text == null) return null;
  const pid = Number(text.trim());
  if (await isOurBroker(pid, node)) return pid;
  fs.rmSync(node.pidFile, { force: true });
  return null;
}

/**
 * Cross-process mutex via an atomic mkdir. Stale locks (holder pid gone) are broken.
 * Protects the Maven fetch and broker start against parallel `up` calls (e.g. parallel tests).
 * @template T
 * @param {string} lockDir
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withLock(lockDir, fn, timeoutMs = 10 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
      const holder = Number(readText(path.join(lockDir, 'pid')));
      // Break the lock if its holder is gone, or if no pid was ever written (crash right after
      // mkdir) and it is older than 30 s. A fresh lock without a pid is just being taken.
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lockDir).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if ((holder && !isProcessAlive(holder)) || (!holder && age > 30_000)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for lock ${lockDir} (held by pid ${holder || '?'})`);
      }
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Runs a command, resolving with its combined output; rejects with a helpful message.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{cwd: string, what: string}} options `what`: the step, for the messages
 * @returns {Promise<string>}
 */
function run(cmd, args, { cwd, what }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (/** @type {NodeJS.ErrnoException} */ err) => {
      reject(
        err.code === 'ENOENT'
          ? new Error(`${what}: "${cmd}" was not found on PATH (is it installed?)`)
          : new Error(`${what}: could not run ${cmd}: ${err.message}`),
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else {
        const tailText = out.trim().split('\n').slice(-30).join('\n');
        reject(new Error(`${what}: \`${cmd} ${args.join(' ')}\` exited with ${code}\n${tailText}`));
      }
    });
  });
}

/**
 * True if something accepts TCP connections on 127.0.0.1:port.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function portInUse(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.setTimeout(1000);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Fetching the Kafka jars with Maven
// ---------------------------------------------------------------------------------------------

/** Log4j 2 version to add when a Kafka 4.x POM brings no log4j at all (4.0.x ships 2.24.3). */
const FALLBACK_LOG4J2_VERSION = '2.24.3';

/** @param {string} version  @param {Array<[string, string, string]>} extra  [groupId, artifactId, version] */
function pomXml(version, extra = []) {
  const dep = (/** @type {string[]} */ [g, a, v]) =>
    `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  const deps = [['org.apache.kafka', 'kafka_2.13', version], ['org.apache.kafka', 'kafka-tools', version], ...extra];
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by tools/stack/kafka-broker.mjs: the runtime classpath of a Kafka ${version} broker. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.wa-targeting.stack</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${deps.map(dep).join('\n')}
  </dependencies>
</project>
`;
}

const copyDependencies = (/** @type {string} */ dir, /** @type {string} */ version) =>
  run('mvn', ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', '-DoutputDirectory=libs'], {
    cwd: dir,
    what: `Fetching Kafka ${version} with Maven (is ${version} published as org.apache.kafka:kafka_2.13?)`,
  });

/**
 * Kafka's published POMs do not consistently bring a logging backend: 3.9.x brings
 * slf4j-reload4j + reload4j (log4j 1), 4.4.x brings log4j-core 2.x but no slf4j binding, 4.0.x
 * brings slf4j-api only. Without a binding slf4j drops every log line (and 4.x needs log4j-core).
 * Returns the extra dependencies that complete the logging setup (empty if none are needed).
 * @param {string} libs
 * @param {string} kafkaVersion
 * @returns {Array<[string, string, string]>} [groupId, artifactId, version]
 */
function missingLoggingDeps(libs, kafkaVersion) {
  const jars = fs.readdirSync(libs);
  const find = (/** @type {RegExp} */ re) => jars.map((j) => re.exec(j)).find(Boolean);
  if (find(/^(slf4j-reload4j|slf4j-log4j12|log4j-slf4j2?-impl|logback-classic|slf4j-simple)-/)) return [];
  const slf4j = find(/^slf4j-api-((\d+)\.[\w.-]+)\.jar$/);
  const log4j2 = find(/^log4j-(?:core|api)-(\d[\w.-]*)\.jar$/);
  const major = Number(kafkaVersion.split('.')[0]);
  const g = 'org.apache.logging.log4j';
  if (log4j2 || major >= 4) {
    const v = log4j2 ? log4j2[1] : FALLBACK_LOG4J2_VERSION;
    const binding = slf4j && Number(slf4j[2]) >= 2 ? 'log4j-slf4j2-impl' : 'log4j-slf4j-impl';
    return [
      [g, 'log4j-core', v],
      [g, binding, v],
    ];
  }
  return [['org.slf4j', 'slf4j-reload4j', slf4j ? slf4j[1] : '1.7.36']]; // brings reload4j along
}

/**
 * Downloads (once) the broker + tools jars for `version`; returns the libs directory.
 * @param {string} version  @param {string} cacheDir  @param {(message: string) => void} [log]
 */
async function ensureKafkaLibs(version, cacheDir, log = () => {}) {
  const dir = path.join(cacheDir, 'kafka', version);
  const libs = path.join(dir, 'libs');
  const marker = path.join(dir, '.complete');
  if (fs.existsSync(marker) && fs.existsSync(libs)) return libs;
  return withLock(path.join(dir, '.lock'), async () => {
    if (fs.existsSync(marker) && fs.existsSync(libs)) return libs; // fetched while we waited
    log(`Fetching Kafka ${version} jars from Maven Central into ${libs} ...`);
    const started = Date.now();
    fs.rmSync(libs, { recursive: true, force: true }); // drop leftovers of an interrupted fetch
    fs.writeFileSync(path.join(dir, 'pom.xml'), pomXml(version));
    await copyDependencies(dir, version);
    const extra = missingLoggingDeps(libs, version);
    if (extra.length) {
      // Second, local-mostly Maven run with the logging jars added to the POM.
      log(`Adding logging jars: ${extra.map((d) => `${d[1]}:${d[2]}`).join(', ')}`);
      fs.writeFileSync(path.join(dir, 'pom.xml'), pomXml(version, extra));
      await copyDependencies(dir, version);
    }
    const jars = fs.readdirSync(libs).filter((j) => j.endsWith('.jar'));
    if (!jars.some((j) => j.startsWith(`kafka_2.13-${version}`))) {
      throw new Error(`Maven finished but ${libs} has no kafka_2.13-${version}.jar`);
    }
    fs.writeFileSync(marker, JSON.stringify({ version, jars: jars.length, fetchedAt: new Date().toISOString() }));
    log(`Fetched ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return libs;
  });
}

/**
 * Classpath (a `<libs>/*` wildcard that `java -cp` expands itself) of the Kafka broker + tools
 * jars for `version`, fetching them if missing. For e.g.
 * `java -cp <this> org.apache.kafka.tools.ProducerPerformance ...`.
 * @param {string} [version]
 * @param {{cacheDir?: string, log?: (msg: string) => void}} [opts]
 */
export async function kafkaClasspath(version = process.env.KAFKA_VERSION || KAFKA_VERSION, opts = {}) {
  const cacheDir = opts.cacheDir ? path.resolve(opts.cacheDir) : stackCacheRoot();
  const libs = await ensureKafkaLibs(version, cacheDir, opts.log);
  return path.join(libs, '*');
}

// ---------------------------------------------------------------------------------------------
// Broker configuration files
// ---------------------------------------------------------------------------------------------

/**
 * @param {BrokerConfig} cfg
 * @param {BrokerNode} node
 */
function serverProperties(cfg, node) {
  const replicated = cfg.nodes.length >= 3;
  const rf = replicated ? 3 : 1;
  const minIsr = replicated ? 2 : 1;
  const voters = cfg.nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',');
  return `# Generated by tools/stack/kafka-broker.mjs (profile ${cfg.profile}, Kafka ${cfg.version}, node ${node.id} of ${cfg.nodes.length}).
# Rewritten on every start: edit the script, not this file.
process.roles=broker,controller
node.id=${node.id}
controller.quorum.voters=${voters}
listeners=PLAINTEXT://127.0.0.1:${node.port},SASL_PLAINTEXT://127.0.0.1:${node.saslPort},CONTROLLER://127.0.0.1:${node.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.port},SASL_PLAINTEXT://127.0.0.1:${node.saslPort}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT

# SASL/SCRAM users (added with \`kafka-broker.mjs scram-user\`) are held to their ACLs on the
# SASL_PLAINTEXT listener; the plaintext and controller listeners' ANONYMOUS is a super user.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
log.dirs=${node.dataDir}

# Topics are created explicitly by the services (and tests), never by a typo.
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=1
${
  replicated
    ? `# Three nodes: every partition on all three, a write acknowledged (acks=all) once two have it,
# so one node lost loses nothing acknowledged and stops nothing.`
    : '# Single node: internal topics cannot have more than one replica.'
}
default.replication.factor=${rf}
min.insync.replicas=${minIsr}
unclean.leader.election.enable=false
offsets.topic.replication.factor=${rf}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=${rf}
transaction.state.log.min.isr=${minIsr}
share.coordinator.state.topic.replication.factor=${rf}
share.coordinator.state.topic.min.isr=${minIsr}
${
  replicated
    ? `
# A node that stops heartbeating is fenced by the controller after this long: its partitions'
# leadership moves and it leaves their ISR (defaults 9 s and 2 s: the stall after a kill).
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=500
replica.lag.time.max.ms=10000
`
    : ''
}
# Fast group formation for dev and tests.
group.initial.rebalance.delay.ms=0

# Small, dev-sized storage. The log cleaner stays on: compacted topics need it.
log.segment.bytes=16777216
log.retention.hours=24
log.retention.bytes=268435456
log.retention.check.interval.ms=60000
log.cleaner.enable=true
log.cleaner.dedupe.buffer.size=16777216
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
`;
}

/** @param {BrokerNode} node */
function log4j2Properties(node) {
  const file = path.join(node.logDir, 'server.log');
  return `# Generated by tools/stack/kafka-broker.mjs: Kafka 4.x (log4j2) logs to ${file}
status = warn
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = ${file}
appender.file.filePattern = ${file}.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
`;
}

/** @param {BrokerNode} node */
function log4jProperties(node) {
  const file = path.join(node.logDir, 'server.log');
  return `# Generated by tools/stack/kafka-broker.mjs: Kafka 3.x (log4j 1 / reload4j) logs to ${file}
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${file}
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
`;
}

/**
 * JVM flags shared by StorageTool and the broker: logging config for either log4j generation.
 * @param {BrokerConfig} cfg
 * @param {string} libs
 * @param {BrokerNode} [node]
 */
function jvmArgs(cfg, libs, node = cfg.nodes[0]) {
  return [
    ...cfg.heapOpts,
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${node.logDir}`,
    `-Dlog4j2.configurationFile=${path.join(node.stateDir, 'log4j2.properties')}`,
    `-Dlog4j.configuration=file:${path.join(node.stateDir, 'log4j.properties')}`,
    '-cp',
    path.join(libs, '*'),
  ];
}

/** A random Kafka cluster id: 16 random bytes, base64url without padding (what Uuid expects). */
function randomClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // Kafka's Uuid.randomUuid() avoids a leading '-' too
  }
}

/**
 * @param {string} a
 * @param {string} b
 */
function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/**
 * Formats a node's KRaft storage once, with the cluster's one id (kept in the profile's state dir,
 * so the nodes of a cluster agree). Refuses to run an older Kafka on newer-formatted data.
 * @param {BrokerConfig} cfg
 * @param {BrokerNode} node
 * @param {string} libs
 * @param {Log} log
 */
async function formatStorageIfNeeded(cfg, node, libs, log) {
  const formattedByFile = path.join(cfg.stateDir, 'formatted-by-version');
  const meta = path.join(node.dataDir, 'meta.properties');
  if (fs.existsSync(meta)) {
    const formattedBy = readText(formattedByFile)?.trim();
    if (formattedBy && compareVersions(cfg.version, formattedBy) < 0) {
      throw new Error(
        `The ${cfg.profile} data in ${node.dataDir} was written by Kafka ${formattedBy}; ` +
          `Kafka ${cfg.version} cannot downgrade it. Wipe it with ` +
          `\`STACK_PROFILE=${cfg.profile} node tools/stack/kafka-broker.mjs reset\`.`,
      );
    }
    if (formattedBy !== cfg.version) fs.writeFileSync(formattedByFile, cfg.version);
    return;
  }
  const clusterIdFile = path.join(cfg.stateDir, 'cluster-id');
  // Node 1 formats first; a cluster id left by an earlier, since wiped cluster is not reused.
  const kept = node.id === 1 ? null : readText(clusterIdFile);
  const clusterId = (kept || randomClusterId()).trim();
  if (!kept) fs.writeFileSync(clusterIdFile, clusterId);
  fs.mkdirSync(node.dataDir, { recursive: true });
  log(`Formatting KRaft storage in ${node.dataDir}`);
  const out = await run(
    'java',
    [...jvmArgs(cfg, libs, node), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', node.propsFile, '--ignore-formatted'],
    { cwd: node.stateDir, what: `Formatting Kafka storage (kafka.tools.StorageTool, Kafka ${cfg.version})` },
  );
  fs.appendFileSync(path.join(node.logDir, 'kafka.out'), out);
  fs.writeFileSync(formattedByFile, cfg.version);
}

// ---------------------------------------------------------------------------------------------
// Talking to the broker
// ---------------------------------------------------------------------------------------------

/**
 * One describeCluster() round trip; resolves with the cluster description or throws.
 * @param {string} brokers comma-separated host:port
 */
async function describeCluster(brokers, timeoutMs = 3000) {
  const kafka = new Kafka({
    clientId: 'wa-targeting-stack-probe',
    brokers: brokers.split(',').map((b) => b.trim()),
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 2000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await admin.describeCluster();
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Polls describeCluster() until it succeeds and lists `brokerCount` brokers (default 1).
 * `isDead()` (optional) aborts early when the broker process has exited. Throws with the last
 * client error after `timeoutMs`.
 */
/**
 * @param {string} brokers
 * @param {{timeoutMs: number, isDead?: () => boolean, onFail: (why: string, err?: Error) => unknown, brokerCount?: number}} options
 *   `onFail` is expected to throw
 */
async function waitForCluster(brokers, { timeoutMs, isDead = undefined, onFail, brokerCount = 1 }) {
  const deadline = Date.now() + timeoutMs;
  /** @type {Error | undefined} */
  let lastError;
  for (;;) {
    try {
      const desc = await describeCluster(brokers);
      if (desc.brokers.length >= brokerCount) return desc;
      lastError = new Error(`${desc.brokers.length} of ${brokerCount} brokers registered`);
    } catch (err) {
      lastError = /** @type {Error} */ (err);
    }
    if (isDead?.()) return onFail(`the broker process exited during startup`, lastError);
    if (Date.now() > deadline) {
      return onFail(`no answer to describeCluster() within ${timeoutMs / 1000}s`, lastError);
    }
    await sleep(500);
  }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * The info file's view of what runs, compared with what is asked for.
 * @param {BrokerConfig} cfg
 */
function clusterShape(cfg) {
  return { version: cfg.version, port: cfg.port, saslPort: cfg.saslPort, nodes: cfg.nodes.length };
}

/**
 * Makes sure a Kafka broker (or, with KAFKA_BROKER_COUNT=3, a three-node cluster) answers,
 * starting our own if needed.
 * - KAFKA_BROKERS set: starts nothing, waits for that cluster.
 * - our nodes (pid files) already running: reuses them; a node of the cluster that is down is
 *   started again (that is how the fault run restarts a killed broker).
 * - otherwise fetches the jars (cached), formats storage once, starts `kafka.Kafka` detached.
 * @param {{profile?: string, version?: string, port?: number, controllerPort?: number,
 *          nodes?: number, cacheDir?: string, timeoutMs?: number, log?: (msg: string) => void}} [opts]
 * @returns {Promise<{brokers: string, saslBrokers?: string, startedByUs: boolean, version: string|null, pid?: number, pids?: number[]}>}
 *   `startedByUs` is true only when this call started every node (so the caller may stop them).
 */
export async function ensureBroker(opts = {}) {
  const cfg = resolveBrokerConfig(opts);
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;

  if (cfg.externalBrokers) {
    log(`KAFKA_BROKERS is set: waiting for ${cfg.externalBrokers} (starting nothing)`);
    await waitForCluster(cfg.externalBrokers, {
      timeoutMs,
      onFail: (why, err) => {
        throw new Error(
          `Kafka at KAFKA_BROKERS=${cfg.externalBrokers} is not usable: ${why}` + (err ? ` (last error: ${err.message})` : ''),
        );
      },
    });
    return { brokers: cfg.externalBrokers, startedByUs: false, version: null };
  }

  for (const node of cfg.nodes) fs.mkdirSync(node.logDir, { recursive: true });
  return withLock(path.join(cfg.stateDir, '.lock'), async () => {
    const running = await Promise.all(cfg.nodes.map((node) => readOwnPid(node)));
    if (running.some(Boolean)) {
      const info = readJson(cfg.infoFile) ?? {};
      const want = clusterShape(cfg);
      if (info.port !== want.port || info.version !== want.version || info.saslPort !== want.saslPort || (info.nodes ?? 1) !== want.nodes) {
        throw new Error(
          `A ${cfg.profile} broker we started (pid ${running.find(Boolean)}) runs Kafka ${info.version} on port ${info.port} ` +
            `(SASL ${info.saslPort ?? 'none'}, ${info.nodes ?? 1} node(s)), but Kafka ${cfg.version} on port ${cfg.port} ` +
            `(SASL ${cfg.saslPort}, ${cfg.nodes.length} node(s)) was asked for. Run \`down\` first.`,
        );
      }
    }
    const missing = cfg.nodes.filter((_, i) => !running[i]);
    const alreadyRunning = running.filter((pid) => pid !== null);
    if (missing.length === 0) {
      await waitForCluster(cfg.brokers, {
        timeoutMs,
        brokerCount: cfg.nodes.length,
        isDead: () => alreadyRunning.every((pid) => !isProcessAlive(pid)),
        onFail: (why, err) => failStart(cfg, cfg.nodes[0], why, err),
      });
      log(`Kafka ${cfg.version} already running at ${cfg.brokers} (pid ${running.join(', ')})`);
      return {
        brokers: cfg.brokers,
        saslBrokers: cfg.saslBrokers,
        startedByUs: false,
        version: cfg.version,
        pid: alreadyRunning[0],
        pids: alreadyRunning,
      };
    }

    for (const node of missing) {
      for (const [name, port] of /** @type {const} */ ([
        ['KAFKA_PORT', node.port],
        ['KAFKA_CONTROLLER_PORT', node.controllerPort],
        ['KAFKA_SASL_PORT', node.saslPort],
      ])) {
        if (await portInUse(port)) {
          throw new Error(
            `Port ${port} (${name}${node.id > 1 ? ` + ${10 * (node.id - 1)}, node ${node.id}` : ''}) on 127.0.0.1 is already in use by a process this script did not start. ` +
              `Stop it, choose another ${name}, or set KAFKA_BROKERS to use an existing cluster.`,
          );
        }
      }
    }

    const libs = await ensureKafkaLibs(cfg.version, cfg.cacheDir, log);
    const started = [];
    for (const node of missing) {
      fs.writeFileSync(node.propsFile, serverProperties(cfg, node));
      fs.writeFileSync(path.join(node.stateDir, 'log4j2.properties'), log4j2Properties(node));
      fs.writeFileSync(path.join(node.stateDir, 'log4j.properties'), log4jProperties(node));
      await formatStorageIfNeeded(cfg, node, libs, log);
    }
    for (const node of missing) started.push(startNode(cfg, node, libs, log));
    const children = await Promise.all(started);
    // Every node runs already or is one of `missing`, started just above: each has a pid.
    const pids = cfg.nodes.map((node, i) => /** @type {number} */ (running[i] ?? children.find((c) => c.node === node)?.pid));
    fs.writeFileSync(
      cfg.infoFile,
      JSON.stringify(
        { ...clusterShape(cfg), pid: pids[0], pids, controllerPort: cfg.controllerPort, startedAt: new Date().toISOString() },
        null,
        2,
      ),
    );

    await waitForCluster(cfg.brokers, {
      timeoutMs,
      brokerCount: cfg.nodes.length,
      isDead: () => children.some((c) => c.exited() || !isProcessAlive(c.pid)),
      onFail: async (why, err) => {
        // Do not leave a half-started cluster behind (only the nodes this call started).
        for (const c of children) {
          if (isProcessAlive(c.pid)) await terminate(c.pid);
          fs.rmSync(c.node.pidFile, { force: true });
        }
        const failed = children.find((c) => c.exited()) ?? children[0];
        failStart(cfg, failed.node, why, err, failed.logOffsets);
      },
    });
    log(`Kafka ${cfg.version} is up at ${cfg.brokers} (pid ${pids.join(', ')})`);
    return {
      brokers: cfg.brokers,
      saslBrokers: cfg.saslBrokers,
      startedByUs: missing.length === cfg.nodes.length,
      version: cfg.version,
      pid: pids[0],
      pids,
    };
  });
}

/**
 * Starts one node's `kafka.Kafka` detached and writes its pid file.
 * @param {BrokerConfig} cfg
 * @param {BrokerNode} node
 * @param {string} libs
 * @param {Log} log
 */
async function startNode(cfg, node, libs, log) {
  log(`Starting Kafka ${cfg.version} (${cfg.profile}, node ${node.id}) at 127.0.0.1:${node.port}; logs in ${node.logDir}`);
  // Remember where this start's log output begins, so a failure shows only this attempt.
  const logOffsets = {
    server: fileSize(path.join(node.logDir, 'server.log')),
    out: fileSize(path.join(node.logDir, 'kafka.out')),
  };
  const outFd = fs.openSync(path.join(node.logDir, 'kafka.out'), 'a');
  fs.writeSync(outFd, `=== ${new Date().toISOString()} starting Kafka ${cfg.version} (${cfg.profile}, node ${node.id})\n`);
  const child = spawn('java', [...jvmArgs(cfg, libs, node), 'kafka.Kafka', node.propsFile], {
    cwd: node.stateDir,
    detached: true, // own process group: survives the CLI, not killed by the terminal's Ctrl-C
    stdio: ['ignore', outFd, outFd],
  });
  fs.closeSync(outFd);
  let exited = false;
  // Set by the 'error' listener: the cast keeps the checker from narrowing it to `null` below.
  let spawnError = /** @type {Error | null} */ (null);
  child.on('exit', () => (exited = true));
  child.on('error', (err) => {
    exited = true;
    spawnError = err;
  });
  child.unref();
  await sleep(50); // lets a spawn error (no `java` on PATH) surface before we write the pid
  if (spawnError || child.pid === undefined) {
    throw new Error(`Could not start java (is a JDK 17+ on PATH?): ${spawnError?.message ?? 'no process id'}`);
  }
  fs.writeFileSync(node.pidFile, String(child.pid));
  return { node, pid: child.pid, exited: () => exited, logOffsets };
}

/**
 * Throws the reason a start failed, with the tails of the node's logs written since `logOffsets`.
 * @param {BrokerConfig} cfg
 * @param {BrokerNode} node
 * @param {string} why
 * @param {Error | undefined} err the last client error
 * @returns {never}
 */
function failStart(cfg, node, why, err, logOffsets = { server: 0, out: 0 }) {
  const server = tail(path.join(node.logDir, 'server.log'), 25, logOffsets.server);
  const out = tail(path.join(node.logDir, 'kafka.out'), 15, logOffsets.out);
  throw new Error(
    `Kafka ${cfg.version} (${cfg.profile}) at ${cfg.brokers} did not become ready: ${why}` +
      (err ? `\nLast client error: ${err.message}` : '') +
      `\n--- ${path.join(node.logDir, 'server.log')} (tail) ---\n${server || '(empty)'}` +
      `\n--- ${path.join(node.logDir, 'kafka.out')} (tail) ---\n${out || '(empty)'}`,
  );
}

/**
 * SIGTERM, wait up to STOP_GRACE_MS, then SIGKILL. Resolves true if it had to SIGKILL.
 * @param {number} pid
 */
async function terminate(pid) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return false;
    await sleep(200);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  for (let i = 0; i < 25 && isProcessAlive(pid); i++) await sleep(200);
  return true;
}

/**
 * Stops the broker nodes this script started for the profile (identified by their pid files and
 * command lines); never touches any other process. Cleans stale pid files.
 * @param {{profile?: string, cacheDir?: string, log?: (msg: string) => void}} [opts]
 * @returns {Promise<{stopped: boolean, pid?: number, pids?: number[], killed?: boolean, reason?: string}>}
 */
export async function stopBroker(opts = {}) {
  const cfg = resolveBrokerConfig(opts);
  const log = opts.log ?? (() => {});
  if (cfg.externalBrokers) {
    log(`KAFKA_BROKERS is set: not stopping ${cfg.externalBrokers} (not ours)`);
    return { stopped: false, reason: 'KAFKA_BROKERS is set; external cluster is not managed here' };
  }
  // Every node directory there is, whatever KAFKA_BROKER_COUNT says now: a cluster started with 3 stops whole.
  /** @type {Array<{id: number, stateDir: string, pidFile: string, propsFile: string}>} */
  const nodes = [...cfg.nodes];
  for (let id = cfg.nodes.length + 1; id <= 5; id++) {
    const dir = path.join(cfg.stateDir, `node-${id}`);
    if (fs.existsSync(dir))
      nodes.push({ id, stateDir: dir, pidFile: path.join(dir, 'kafka.pid'), propsFile: path.join(dir, 'server.properties') });
  }
  const owned = await Promise.all(nodes.map(async (node) => ({ node, pid: await readOwnPid(node) })));
  const pids = owned.flatMap(({ node, pid }) => (pid ? [{ node, pid }] : []));
  if (pids.length === 0) {
    log(`No ${cfg.profile} broker started by this script is running`);
    return { stopped: false, reason: 'not running' };
  }
  log(`Stopping Kafka (${cfg.profile}, pid ${pids.map((n) => n.pid).join(', ')}) ...`);
  const killed = await Promise.all(pids.map((n) => terminate(n.pid)));
  for (const { node } of pids) fs.rmSync(node.pidFile, { force: true });
  log(killed.some(Boolean) ? `Kafka did not stop in ${STOP_GRACE_MS / 1000}s: killed` : `Kafka stopped`);
  return { stopped: true, pid: pids[0].pid, pids: pids.map((n) => n.pid), killed: killed.some(Boolean) };
}

/**
 * Reports whether our broker nodes run and whether the cluster answers.
 * @param {{profile?: string, cacheDir?: string}} [opts]
 */
export async function brokerStatus(opts = {}) {
  const cfg = resolveBrokerConfig(opts);
  const brokers = cfg.externalBrokers ?? cfg.brokers;
  const pids = cfg.externalBrokers ? [] : await Promise.all(cfg.nodes.map((node) => readOwnPid(node)));
  const pid = pids[0] ?? null;
  const info = pids.some(Boolean) ? readJson(cfg.infoFile) : null;
  let answering = false;
  let clusterId = null;
  let error = null;
  try {
    const desc = await describeCluster(brokers);
    answering = true;
    clusterId = desc.clusterId;
  } catch (err) {
    error = /** @type {Error} */ (err).message;
  }
  return {
    profile: cfg.profile,
    brokers,
    external: Boolean(cfg.externalBrokers),
    running: pids.some(Boolean),
    pid,
    nodes: cfg.nodes.map((node, i) => ({ id: node.id, port: node.port, pid: pids[i] ?? null })),
    version: info?.version ?? null,
    answering,
    clusterId,
    error,
    stateDir: cfg.stateDir,
    logFile: path.join(cfg.logDir, 'server.log'),
  };
}

/**
 * The node that leads the KRaft metadata quorum now (the active controller), from the quorum
 * state each voter writes (`__cluster_metadata-0/quorum-state`): the highest epoch's leader among
 * the nodes that run. Null if none is known.
 * @param {{profile?: string, cacheDir?: string}} [opts]
 */
export async function activeController(opts = {}) {
  const cfg = resolveBrokerConfig(opts);
  let best = null;
  for (const node of cfg.nodes) {
    if (!(await readOwnPid(node))) continue;
    const state = readJson(path.join(node.dataDir, '__cluster_metadata-0', 'quorum-state'));
    const epoch = Number(state?.leaderEpoch ?? -1);
    const leader = Number(state?.leaderId ?? -1);
    if (leader > 0 && (!best || epoch > best.epoch)) best = { id: leader, epoch };
  }
  return best;
}

/**
 * Stops our broker nodes and deletes their data (topics, offsets). Keeps the jar cache.
 * @param {{profile?: string, cacheDir?: string, log?: (msg: string) => void}} [opts]
 */
export async function resetBroker(opts = {}) {
  const cfg = resolveBrokerConfig(opts);
  const result = await stopBroker(opts);
  const dirs = [cfg.dataDir, path.join(cfg.stateDir, 'formatted-by-version'), path.join(cfg.stateDir, 'cluster-id')];
  for (let id = 2; id <= 5; id++) dirs.push(path.join(cfg.stateDir, `node-${id}`, 'data'));
  for (const p of dirs) fs.rmSync(p, { recursive: true, force: true });
  return result;
}

/**
 * Adds (or resets) a SASL/SCRAM-SHA-512 user on the profile's own broker, with Kafka's
 * ConfigCommand (the admin API call kafkajs lacks). Its ACLs are set separately (admin.createAcls).
 * @param {string} user
 * @param {string} password
 * @param {{profile?: string, brokers?: string, log?: (msg: string) => void}} [opts] `brokers`: the
 *   plaintext bootstrap of the broker to change (default: the profile's own broker)
 */
export async function addScramUser(user, password, opts = {}) {
  const bootstrap = opts.brokers;
  if (!/^[A-Za-z0-9._-]+$/.test(user)) throw new Error(`invalid SCRAM user name ${JSON.stringify(user)}`);
  if (!/^[A-Za-z0-9._~+/=-]{8,}$/.test(password)) throw new Error('a SCRAM password needs 8 or more characters of [A-Za-z0-9._~+/=-]');
  const cfg = resolveBrokerConfig(opts);
  if (!bootstrap && cfg.externalBrokers) throw new Error("KAFKA_BROKERS is set: pass --brokers, or use that cluster's own tools");
  const libs = await ensureKafkaLibs(cfg.version, cfg.cacheDir, opts.log);
  const run = spawnSync(
    'java',
    [
      ...jvmArgs(cfg, libs),
      'org.apache.kafka.tools.ConfigCommand',
      '--bootstrap-server',
      bootstrap ?? cfg.brokers,
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      user,
      '--add-config',
      `SCRAM-SHA-512=[iterations=4096,password=${password}]`,
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`ConfigCommand could not add SCRAM user ${user}: ${(run.stderr || run.stdout).trim()}`);
  return { user };
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

/** @param {string[]} argv */
async function main(argv) {
  const cmd = argv[0];
  const log = (/** @type {string} */ m) => console.error(`[kafka] ${m}`);
  switch (cmd) {
    case 'up': {
      const t0 = Date.now();
      const res = await ensureBroker({ log });
      log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      console.log(JSON.stringify(res));
      return 0;
    }
    case 'down':
      console.log(JSON.stringify(await stopBroker({ log })));
      return 0;
    case 'reset':
      console.log(JSON.stringify(await resetBroker({ log })));
      return 0;
    case 'status': {
      const st = await brokerStatus();
      console.log(JSON.stringify(st, null, 2));
      return st.answering ? 0 : 3;
    }
    case 'classpath':
      console.log(await kafkaClasspath(undefined, { log }));
      return 0;
    case 'scram-user': {
      const brokersAt = argv.indexOf('--brokers');
      const brokers = brokersAt > 0 ? argv[brokersAt + 1] : undefined;
      if (!argv[1] || !argv[2] || argv[1].startsWith('--'))
        throw new Error('usage: kafka-broker.mjs scram-user NAME PASSWORD [--brokers host:port]');
      console.log(JSON.stringify(await addScramUser(argv[1], argv[2], { log, brokers })));
      return 0;
    }
    default:
      console.error(
        'usage: node tools/stack/kafka-broker.mjs up|down|status|reset|classpath|scram-user NAME PASSWORD [--brokers host:port]\n' +
          '  env: STACK_PROFILE=dev|test|bench, KAFKA_BROKER_COUNT (1, or 3 for a replicated cluster), KAFKA_VERSION,\n' +
          '       KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_SASL_PORT (node n adds 10*(n-1)),\n' +
          '       KAFKA_BROKERS (use an existing cluster), WT_CACHE_DIR, KAFKA_HEAP_OPTS',
      );
      return 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`[kafka] ${err.message}`);
      process.exit(1);
    },
  );
}
