import { fileURLToPath } from 'node:url';

/**
 * The folder of the extensions this package ships (mock, echo, openai, claude): `dist/extensions` in the
 * installed package. Add it to `searchPaths` to use them: `searchPaths: [SHIPPED_EXTENSIONS, 'dist/extensions']`.
 */
export const SHIPPED_EXTENSIONS = fileURLToPath(new URL('../../extensions', import.meta.url));
