// Typed lint rules: the type-aware presets catch floating promises and unsafe `any` flows,
// which matter most in an async, I/O-heavy service.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A `no-restricted-imports` rule for each folder of src: the folders it may not import from. */
const layers = (forbidden) =>
  Object.entries(forbidden).map(([layer, others]) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: others.map((other) => ({
            group: [`**/${other}/**`],
            message: `src/${layer} may not import src/${other} (DESIGN.md, Layers).${layer === 'queries' && other === 'commands' ? ' Reads never import writes.' : ''}`,
          })),
        },
      ],
    },
  }));

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'var/**', 'node_modules/**', 'bin/**', 'scratch/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The layers of DESIGN.md that a reader relies on, one rule per folder: what it may not import.
  ...layers({
    domain: ['infrastructure', 'commands', 'queries', 'projections', 'reactors', 'audit', 'recommendations'],
    commands: ['queries', 'projections', 'reactors', 'audit'],
    // Queries read the read models, so the projections' names and positions are theirs to import.
    queries: ['commands', 'reactors', 'audit'],
    projections: ['commands', 'queries', 'reactors', 'audit'],
    reactors: ['commands', 'queries', 'audit'],
    audit: ['commands', 'queries', 'reactors'],
  }),
  {
    // Browser scripts of the pages the service serves: plain JavaScript, outside the TypeScript project.
    files: ['src/**/pages/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', CSS: 'readonly', io: 'readonly' },
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // chai's `expect(x).to.be.true` style is an expression statement by design.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
);
