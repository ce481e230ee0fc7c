import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AckType,
  CommandType,
  CompressionType,
  InitialPosition,
  LookupType,
  ServerError,
  SubType,
  WIRE_SCHEMA,
} from '../../../src/brokers/pulsar/binary/proto';
import { tempDir } from '../../helpers/tmp';

/**
 * mqctl's Pulsar wire schema (src/brokers/pulsar/binary/proto.ts) against the pinned Pulsar release's own
 * protocol classes. Pulsar ships no PulsarApi.proto in its jars; pulsar-common's sources jar holds the classes
 * its LightProto plugin generated from it, one per message, each field with its number constant, its Java type
 * and its proto2 default as the initialiser, and each enum with its values. `npm run brokers:up` fetches that
 * jar (scripts/maven/pulsar-proto). A wrong field number, type or missing default (how the producer_ready bug
 * happened) fails here, before any broker is involved.
 */

const ROOT = join(__dirname, '..', '..', '..', '..');
const pomVersion = (pom: string): string => {
  const m = /<pulsar\.version>([^<]+)<\/pulsar\.version>/.exec(readFileSync(join(ROOT, pom), 'utf8'));
  assert.ok(m, `no pulsar.version in ${pom}`);
  return m[1]!;
};
const VERSION = pomVersion('scripts/maven/pulsar/pom.xml');
const JARS = join(process.env.MQCTL_HOME ?? join(homedir(), '.cache', 'mqctl'), 'jars', 'pulsar-proto');
const JAR = join(JARS, `pulsar-common-${VERSION}-sources.jar`);
const PACKAGE = 'org/apache/pulsar/common/api/proto';

const snake = (camel: string) => camel.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Java source without comments, so values in Javadoc never match. */
const stripComments = (java: string) => java.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

describe(`Pulsar wire schema against Pulsar ${VERSION}'s generated protocol classes`, () => {
  let dir = '';
  const source = (name: string): string => {
    const file = join(dir, PACKAGE, `${name}.java`);
    assert.ok(existsSync(file), `Pulsar ${VERSION} has no ${name} message`);
    return stripComments(readFileSync(file, 'utf8'));
  };
  /** NAME -> value of a Java enum `name` inside `java` (a top-level enum file or a nested enum). */
  const enumValues = (java: string, name: string): Map<string, number> => {
    const start = java.search(new RegExp(`enum ${name}\\s*\\{`));
    assert.ok(start >= 0, `no enum ${name}`);
    const body = java.slice(start, java.indexOf(';', start));
    return new Map(
      [...body.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\(\s*(-?\d+)\s*\)/g)].map((m) => [m[1]!, +m[2]!]),
    );
  };

  before(() => {
    assert.ok(
      existsSync(JAR),
      `${JAR} is missing: run npm run brokers:up (it fetches the sources jar with the Pulsar jars)`,
    );
    dir = tempDir('mqctl-pulsar-proto-');
    // the JDK's jar tool (Java is required for the brokers anyway)
    execFileSync('jar', ['xf', JAR, PACKAGE], { cwd: dir, stdio: 'pipe' });
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the sources jar is of the Pulsar version the local broker runs', () => {
    assert.equal(pomVersion('scripts/maven/pulsar-proto/pom.xml'), VERSION);
  });

  it("every message and field mqctl declares has Pulsar's number, type and default", () => {
    const problems: string[] = [];
    let fields = 0;
    for (const [message, spec] of Object.entries(WIRE_SCHEMA)) {
      const java = source(message);
      for (const [field, [id, type, rule, defaultValue]] of Object.entries(spec)) {
        fields++;
        const where = `${message}.${field}`;
        // whitespace before: _ERROR_FIELD_NUMBER must not match _SEND_ERROR_FIELD_NUMBER
        const number = new RegExp(`\\s_${snake(field)}_FIELD_NUMBER = (\\d+);`).exec(java);
        if (!number) {
          problems.push(`${where}: Pulsar has no such field`);
          continue;
        }
        if (+number[1]! !== id) problems.push(`${where}: number ${id}, Pulsar's is ${number[1]}`);
        // LightProto names a repeated field in the plural (message_id -> messageIds)
        const decl = new RegExp(`private ([\\w.<>\\[\\]]+) ${field}s?(?: = ([^;]+))?;`).exec(java);
        if (!decl) {
          problems.push(`${where}: no declaration found`);
          continue;
        }
        const [, qualifiedType, rawInit] = decl;
        // org.apache.pulsar.common.api.proto.CommandSubscribe.SubType -> SubType
        const javaType = qualifiedType!.replace(/^(?:[\w]+\.)*(\w+(?:\[\]|<.+>)?)$/, '$1');
        const init = rawInit?.replace(/\s+/g, '');
        const repeated = /\[\]$|^List</.test(javaType);
        if (repeated !== (rule === 'repeated'))
          problems.push(`${where}: ${rule ?? 'optional'} here, Java type ${javaType}`);
        const element = javaType.replace(/\[\]$/, '').replace(/^List<(.+)>$/, '$1');
        const isEnum = existsSync(join(dir, PACKAGE, `${element}.java`))
          ? /public enum /.test(source(element))
          : new RegExp(`enum ${element}\\s*\\{`).test(java);
        const expected: Record<string, string[]> = {
          uint64: ['long'],
          int64: ['long'],
          int32: ['int'],
          uint32: ['int'],
          bool: ['boolean'],
          string: ['String'],
          bytes: ['ByteBuf', 'byte'],
        };
        const typeOk = expected[type]
          ? expected[type]!.includes(element) || ((type === 'int32' || type === 'uint32') && isEnum)
          : element === type;
        if (!typeOk) problems.push(`${where}: ${type} here, Java type ${javaType}`);
        // proto2 defaults: what an absent field decodes to must be Pulsar's default
        if (!repeated && init !== undefined && init !== 'null') {
          let pulsarDefault: unknown;
          // SubType.valueOf(0), CompressionType.NONE, (qualified) InitialPosition.Latest, -1l, true
          const valueOf = /(?:^|\.)(\w+)\.valueOf\((-?\d+)\)$/.exec(init);
          const enumRef = /(?:^|\.)(\w+)\.(\w+)$/.exec(init);
          if (valueOf) pulsarDefault = Number(valueOf[2]);
          else if (enumRef) {
            const file = existsSync(join(dir, PACKAGE, `${enumRef[1]}.java`)) ? source(enumRef[1]!) : java;
            pulsarDefault = enumValues(file, enumRef[1]!).get(enumRef[2]!);
          } else if (init === 'true' || init === 'false') pulsarDefault = init === 'true';
          else if (/^-?\d+[lL]?$/.test(init)) pulsarDefault = Number(init.replace(/[lL]$/, ''));
          else pulsarDefault = init;
          const zero = type === 'bool' ? false : type === 'string' ? '' : 0;
          const ours = defaultValue ?? zero;
          if (ours !== pulsarDefault) problems.push(`${where}: default ${String(ours)}, Pulsar's is ${init}`);
        }
      }
    }
    assert.deepEqual(problems, [], `${problems.length} of ${fields} fields differ`);
    assert.ok(fields >= 100, `${fields} fields checked`);
  });

  it("command types, server errors and the other enums have Pulsar's values", () => {
    const problems: string[] = [];
    const check = (ours: Record<string, number>, theirs: Map<string, number>, what: string) => {
      for (const [name, value] of Object.entries(ours))
        if (theirs.get(name) !== value)
          problems.push(`${what}.${name}: ${value}, Pulsar's is ${String(theirs.get(name))}`);
    };
    check(CommandType, enumValues(source('BaseCommand'), 'Type'), 'BaseCommand.Type');
    check(ServerError, enumValues(source('ServerError'), 'ServerError'), 'ServerError');
    check(CompressionType, enumValues(source('CompressionType'), 'CompressionType'), 'CompressionType');
    check(SubType, enumValues(source('CommandSubscribe'), 'SubType'), 'SubType');
    check(InitialPosition, enumValues(source('CommandSubscribe'), 'InitialPosition'), 'InitialPosition');
    check(AckType, enumValues(source('CommandAck'), 'AckType'), 'AckType');
    check(LookupType, enumValues(source('CommandLookupTopicResponse'), 'LookupType'), 'LookupType');
    assert.deepEqual(problems, []);
  });
});
