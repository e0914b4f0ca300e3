#!/bin/sh
# First start: create the dynamic-security file with the admin control-api uses and the
# center's own client (full access to gwanje/v1/#); later starts keep what control-api wrote.
set -eu
f=/mosquitto/data/dynamic-security.json
if [ ! -f "$f" ]; then
  mosquitto_ctrl dynsec init "$f" dynsec-admin "$GWANJE_MQTT_ADMIN_PASSWORD"
  chown mosquitto:mosquitto "$f"
fi
exec mosquitto -c /mosquitto/config/mosquitto.conf
