import * as effectEslint from "@effect/eslint-plugin"
import tsParser from "@typescript-eslint/parser"

// Effect's formatting options (the v3 monorepo's eslint.config.mjs), applied through dprint. The API generator
// (packages/api/scripts/generate.ts) formats its output with the same options.
export const dprintConfig = {
  indentWidth: 2,
  lineWidth: 120,
  semiColons: "asi",
  quoteStyle: "alwaysDouble",
  trailingCommas: "never",
  operatorPosition: "maintain",
  "arrowFunction.useParentheses": "force"
}

export default [
  {
    ignores: [
      "**/node_modules/**",
      "**/.tsbuild/**",
      "**/build/**",
      "**/dist/**",
      "**/coverage/**",
      "docs/.snippets/**"
    ]
  },
  ...effectEslint.configs.dprint,
  {
    files: ["**/*.ts", "**/*.mts", "**/*.mjs"],
    languageOptions: {
      parser: tsParser,
      ecmaVersion: "latest",
      sourceType: "module"
    },
    rules: {
      "@effect/dprint": ["error", { config: dprintConfig }]
    }
  },
  {
    // Deep imports in library code keep browser bundles small. Tests may use barrels.
    files: ["packages/*/src/**/*.ts"],
    rules: {
      "@effect/no-import-from-barrel-package": ["error", {
        packageNames: [
          "effect",
          "@effect/platform",
          "@effect/platform-node",
          "@effect/platform-browser",
          "@effect/cli",
          "@effect/printer",
          "@effect/printer-ansi"
        ]
      }]
    }
  }
]
