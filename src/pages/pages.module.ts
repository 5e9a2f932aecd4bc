import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Module } from '@nestjs/common';
import { AbstractLoader, ServeStaticModule } from '@nestjs/serve-static';
import { PagesConfigController } from './pages-config.controller.js';
import { PagesLoader } from './pages.loader.js';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
/**
 * @simplewebauthn/browser's browser bundle (global `SimpleWebAuthnBrowser`). Its `exports` hide
 * package.json, so the folder is found from its CommonJS entry, `script/index.js`.
 */
const webAuthnBundleDir = () =>
  join(dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle');

/** `client/` at the project root; this file sits two levels below it in both src/ and dist/. */
export const CLIENT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'client');

/**
 * The pages (`/`, `/login` and the account pages of docs/pages.md) and their assets, and
 * GET /pages/config, what they offer. Bootstrap, Font Awesome and
 * @simplewebauthn/browser come from their npm packages, served under /vendor: no CDN, so the pages work offline and under a
 * `default-src 'self'` policy. Files are public: the global guard only sees controllers.
 */
@Module({
  imports: [
    ServeStaticModule.forRootAsync({
      useFactory: () => {
        const fontAwesome = packageDir('@fortawesome/fontawesome-free');
        return [
          { rootPath: CLIENT_DIR, serveStaticOptions: { extensions: ['html'], index: ['index.html'] } },
          { rootPath: join(packageDir('bootstrap'), 'dist', 'css'), serveRoot: '/vendor/bootstrap/css/' },
          { rootPath: join(fontAwesome, 'css'), serveRoot: '/vendor/fontawesome/css/' },
          { rootPath: join(fontAwesome, 'webfonts'), serveRoot: '/vendor/fontawesome/webfonts/' },
          { rootPath: webAuthnBundleDir(), serveRoot: '/vendor/simplewebauthn/' },
        ];
      },
      extraProviders: [{ provide: AbstractLoader, useClass: PagesLoader }],
    }),
  ],
  controllers: [PagesConfigController],
})
export class PagesModule {}
