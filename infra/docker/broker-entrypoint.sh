#!/bin/sh
# Starts the broker. On ECS its config arrives in FJORD_BROKER_CONFIG_JSON (a Fargate task cannot
# mount a per-cluster file): it is written to a directory only the broker's user can read and
# passed with --config. Without it the arguments go through unchanged (--config <file>). The broker
# token and TLS key are not in that JSON: ECS fills FJORD_BROKER_SECRETS_JSON from the cluster's secret and the broker
# reads it from there.
set -eu
if [ -n "${FJORD_BROKER_CONFIG_JSON:-}" ]; then
  config_dir="$(mktemp -d)"
  printf '%s' "$FJORD_BROKER_CONFIG_JSON" > "$config_dir/broker.json"
  unset FJORD_BROKER_CONFIG_JSON
  set -- --config "$config_dir/broker.json" "$@"
fi
# exec: node replaces the shell, so the SIGTERM of a stopping task reaches the broker. It runs the
# bundle built in the image (apps/broker/scripts/build.mjs), as local brokers do: no TypeScript loader.
exec node apps/broker/dist/main.js "$@"
