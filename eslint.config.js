// ESLint for the TypeScript engine, the CLI, the scripts, the tests and the Svelte widgets.
// Type-aware rules (exhaustive switches over the verdict vocabulary) need the type checker,
// so they run on the code that tsconfig covers.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'build/',
      '.astro/',
      'node_modules/',
      'test-output/',
      'bench-data/',
      'public/',
      'tests/corpus/',
      '**/*.astro',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: {
      // The widgets' Maps and Sets are scratch space inside $derived blocks or caches that a
      // version counter invalidates, never state the template reads: SvelteMap would only add cost.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    // Plain JavaScript files (bin, integrations, configs) are not in the TypeScript project.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
