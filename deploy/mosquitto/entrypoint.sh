#!/bin/sh
# First start: create the dynamic-security file with the admin control-api uses (agents' clients
# and ACLs are then managed by control-api through GWANJE_MQTT_ADMIN_URL); later starts keep what
# control-api wrote. MOSQUITTO_DIR is /mosquitto in the container (test/production-set.test.ts
# runs this same script against a copy of the config in a temporary directory).
set -eu
dir=${MOSQUITTO_DIR:-/mosquitto}
f=$dir/data/dynamic-security.json
if [ ! -f "$f" ]; then
  mosquitto_ctrl dynsec init "$f" dynsec-admin "$GWANJE_MQTT_ADMIN_PASSWORD"
  if id mosquitto >/dev/null 2>&1; then chown mosquitto:mosquitto "$f"; fi
fi
exec mosquitto -c "$dir/config/mosquitto.conf"
