/** The package version, put in by the build (scripts/build.mjs). */
declare const FJORD_CLI_VERSION: string;
