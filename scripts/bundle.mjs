// Bundles the built service (dist/main.js and everything it imports) into one file,
// dist/bundle/main.js, which `npm run start:prod` runs. Part of `npm run build`, after `nest build`.
//
// Why: on Node.js 20, which has no module compile cache, resolving, reading and compiling the
// service's thousands of module files one by one is most of its start (docs/decisions.md).
//
// Left out of the bundle and loaded from node_modules at run time: native addons (better-sqlite3,
// @node-rs/argon2), packages that start worker threads from their own files (pino's transports,
// piscina), swagger-ui-dist (served as files), and optional packages that frameworks import only
// when installed (@nestjs/microservices, database drivers other than better-sqlite3...), which
// stay the failing run-time imports those frameworks expect.
//
// The bundle lives two levels under the project like every dist/<module>/ file, so that paths the
// code derives from import.meta.url (client/ two levels up) hold; the files it finds next to
// itself (Swagger UI's page, the argon2 worker) are copied beside it.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const OUT = join(DIST, 'bundle');

/** A bare import that does not resolve here is an optional package: left to run time. */
const optionalPackages = {
  name: 'optional-packages',
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.probing) {
        return undefined;
      }
      const { kind, resolveDir, importer } = args;
      const result = await bundler.resolve(args.path, {
        kind,
        resolveDir,
        importer,
        pluginData: { probing: true },
      });
      return result.errors.length > 0 ? { path: args.path, external: true } : result;
    });
  },
};

/**
 * @nestjs/typeorm reads TypeORM 0.3's Connection and AbstractRepository through a require() of its
 * own (createRequire), which esbuild cannot follow: at run time it loaded a second, unbundled TypeORM
 * from node_modules (some 300 files, about 20 MB resident) only to find both undefined on TypeORM 1.
 * Here it reads them from the bundled TypeORM instead.
 */
const oneTypeorm = {
  name: 'one-typeorm',
  setup(bundler) {
    bundler.onLoad(
      { filter: /[\\/]@nestjs[\\/]typeorm[\\/]dist[\\/]common[\\/]typeorm-compat\.js$/ },
      async (args) => {
        const code = await readFile(args.path, 'utf8');
        if (!code.includes("require('typeorm')")) {
          throw new Error(`scripts/bundle.mjs: ${args.path} no longer reads typeorm as expected`);
        }
        return {
          contents:
            "import * as typeorm from 'typeorm';\n" +
            "export const Connection = typeorm['Connection'];\n" +
            "export const AbstractRepository = typeorm['AbstractRepository'];\n",
          loader: 'js',
        };
      },
    );
  },
};

/**
 * @nestjs/mapped-types (PickType, OmitType... through @nestjs/swagger) reads class-validator and
 * class-transformer through a require() of its own (createRequire), which esbuild cannot follow: at
 * run time it loaded their CommonJS builds from node_modules (with validator and libphonenumber-js,
 * some 350 files, at every start) beside the copies in the bundle. class-validator's metadata is
 * global, so validation worked across the two; class-transformer's is per copy, so a DTO made with
 * PickType did not inherit its parent's @Transform. Here that require() reads the bundled copies.
 */
const oneClassValidator = {
  name: 'one-class-validator',
  setup(bundler) {
    bundler.onLoad(
      { filter: /[\\/]@nestjs[\\/]mapped-types[\\/]dist[\\/]type-helpers\.utils\.js$/ },
      async (args) => {
        const code = await readFile(args.path, 'utf8');
        const own = 'const require = createRequire(import.meta.url);';
        if (code.split(own).length !== 2) {
          throw new Error(`scripts/bundle.mjs: ${args.path} no longer reads class-validator as expected`);
        }
        const bundled =
          "import * as __classValidator from 'class-validator';\n" +
          "import * as __classTransformer from 'class-transformer';\n" +
          "import * as __classTransformerStorage from 'class-transformer/esm5/storage.js';\n" +
          'const __bundled = {\n' +
          "  'class-validator': __classValidator,\n" +
          "  'class-transformer': __classTransformer,\n" +
          "  'class-transformer/cjs/storage': __classTransformerStorage,\n" +
          "  'class-transformer/storage': __classTransformerStorage,\n" +
          '};\n' +
          'const require = (id) => {\n' +
          '  if (!(id in __bundled)) throw new Error(`@nestjs/mapped-types: ${id} is not bundled`);\n' +
          '  return __bundled[id];\n' +
          '};';
        return { contents: code.replace(own, bundled), loader: 'js' };
      },
    );
  },
};

/**
 * esbuild escapes non-ASCII characters in strings but not in regular expression literals
 * (validator's alphabets, for class-validator), and one character above U+00FF makes V8 keep the
 * whole bundle's source as a two-byte string: twice its size, resident for the process's life.
 * Escaped as \uXXXX they mean the same in a regular expression (a surrogate pair too, with the u
 * flag), a string, an identifier or a comment; the build fails if any remains in the output.
 */
const NON_ASCII = /(\\*)([\u0080-\uffff])/g;
const asciiOnly = {
  name: 'ascii-only',
  setup(bundler) {
    bundler.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      // An odd backslash before the character is a needless (identity) escape of it: dropped.
      const contents = code.replace(
        NON_ASCII,
        (_, slashes, char) =>
          `${slashes.slice(slashes.length % 2)}\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
      return contents === code ? undefined : { contents, loader: 'js' };
    });
  },
};

/**
 * keepNames' `__name(fn, "name")` redefines `name` on every function it wraps, closures made per
 * request included (rxjs' operators, Nest's switchToHttp(), Fastify's hooks). A wrapped function
 * expression does not get the name JavaScript would otherwise infer, so it reaches the helper
 * anonymous, and redefining a property on it costs more than the call it serves (docs/decisions.md).
 * What Nest, TypeORM and class-validator read is class names, and a class bears its name before its
 * static block calls `__name(this, ...)`, so the helper renames only functions that bear a name
 * other than the one asked (esbuild's renames on a clash) and leaves anonymous ones as they are.
 * A class wrapped as an expression, `__name(class ...)`, would reach it anonymous: none does, and
 * the build fails if one ever does. esbuild's helper is replaced by one of the same length that
 * calls __keepName, declared on a line of its own at the end, so the source map stays exact; a
 * differently worded helper fails the build here too.
 */
async function cheapenKeepNames(file) {
  const helper = '__name=(target,value)=>__defProp(target,"name",{value,configurable:!0})';
  const caller = '__name=(t,v)=>__keepName(t,v)'.padEnd(helper.length, ' ');
  const keepName =
    'function __keepName(t,v){return t.name===v||t.name===""?t:__defProp(t,"name",{value:v,configurable:true})}';
  const mapComment = '\n//# sourceMappingURL=';
  const code = await readFile(file, 'utf8');
  const at = code.indexOf(helper);
  const mapAt = code.lastIndexOf(mapComment);
  if (at === -1 || code.indexOf(helper, at + 1) !== -1 || mapAt === -1 || /__name\(class\b/.test(code)) {
    throw new Error(
      `scripts/bundle.mjs: esbuild's __name helper, or its use, is not the one expected in ${file}`,
    );
  }
  await writeFile(
    file,
    code.slice(0, at) + caller + code.slice(at + helper.length, mapAt) + '\n' + keepName + code.slice(mapAt),
  );
}

await rm(OUT, { recursive: true, force: true });
await build({
  entryPoints: [join(DIST, 'main.js')],
  outfile: join(OUT, 'main.js'),
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Nest reads class names (providers, modules, the logger's contexts, StartupLogger's filter).
  keepNames: true,
  // Names kept, whitespace and syntax minified: V8 keeps the source of every loaded script
  // resident. The source map leads back to dist/. Not identifiers: measured, the bundle shrinks
  // from 7.0 to 4.9 MB but the process starts with about 10 MB more resident (docs/decisions.md).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [optionalPackages, oneTypeorm, oneClassValidator, asciiOnly],
  // OpenTelemetry too: src/tracing/ imports it only when tracing is on, and a bundled copy would be
  // parsed at every start.
  external: [
    'better-sqlite3',
    '@node-rs/argon2',
    'pino',
    'pino-pretty',
    'piscina',
    'swagger-ui-dist',
    '@opentelemetry/*',
    // Imported only when REDIS_URL is set (src/redis/redis-connection.ts): 0.8 MB of source that
    // the embedded default would otherwise keep resident.
    'redis',
    '@redis/*',
  ],
  // CommonJS packages inside the bundle call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
await cheapenKeepNames(join(OUT, 'main.js'));
if (/[\u0080-\uffff]/.test(await readFile(join(OUT, 'main.js'), 'utf8'))) {
  throw new Error('scripts/bundle.mjs: a non-ASCII character is left in the bundle (see asciiOnly)');
}
await cp(join(DIST, 'docs', 'ui'), join(OUT, 'ui'), { recursive: true });
await cp(join(DIST, 'users', 'argon2.worker.mjs'), join(OUT, 'argon2.worker.mjs'));
