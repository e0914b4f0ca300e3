#!/bin/sh
# Makes the TLS set-up of one province's Gwanje (README "Deploying for a province"; issue 16 F13):
# a private certificate authority (kept once made, so re-running renews the server certificate
# without touching what the agents trust) and a server certificate for the names operators and
# edge agents use to reach the center (HTTPS console/API/video and MQTTS). ECDSA P-256.
#
#   deploy/tls/make-province-ca.sh <out-dir> <province> <host-or-ip> [<host-or-ip>...]
#   e.g. deploy/tls/make-province-ca.sh deploy/tls/gyeonggi gyeonggi gwanje.gg.go.kr 10.20.0.5
#
# Writes (GWANJE_TLS_DIR = <out-dir> for docker-compose.yml):
#   ca/ca.key             the CA's private key: 0600, keep it offline; never mounted anywhere
#   ca.crt                the CA certificate: give it to every edge agent (central.caFile)
#   server.crt            the server certificate (the names above), 825 days
#   center/server.key     its key for the center container (user node, uid 1000), 0600
#   mosquitto/server.key  the same key for Mosquitto (uid 1883 in eclipse-mosquitto), 0600
set -eu

if [ $# -lt 3 ]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
out=$1
province=$2
shift 2

umask 077
mkdir -p "$out/ca" "$out/center" "$out/mosquitto"
chmod 755 "$out" "$out/center" "$out/mosquitto"

if [ ! -f "$out/ca/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$out/ca/ca.key" -out "$out/ca.crt" -days 3650 \
    -subj "/O=Gwanje/CN=Gwanje $province province CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "made the $province CA: $out/ca.crt (its key: $out/ca/ca.key, keep it offline)"
fi
chmod 644 "$out/ca.crt"

san=""
for name in "$@"; do
  case "$name" in
    *[!0-9.]*) case "$name" in *:*) entry="IP:$name" ;; *) entry="DNS:$name" ;; esac ;;
    *) entry="IP:$name" ;;
  esac
  san="${san:+$san,}$entry"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$tmp/server.key" -out "$tmp/server.csr" -subj "/O=Gwanje/CN=$1" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
  "$san" >"$tmp/ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca/ca.key" -CAcreateserial \
  -CAserial "$out/ca/ca.srl" -days 825 -extfile "$tmp/ext" -out "$out/server.crt" 2>/dev/null
chmod 644 "$out/server.crt"

# One copy of the key per container user, readable by that user only.
cp "$tmp/server.key" "$out/center/server.key"
cp "$tmp/server.key" "$out/mosquitto/server.key"
chmod 600 "$out/center/server.key" "$out/mosquitto/server.key"
if [ "$(id -u)" = 0 ]; then
  chown 1000:1000 "$out/center/server.key"
  chown 1883:1883 "$out/mosquitto/server.key"
else
  echo "not root: run  sudo chown 1000:1000 $out/center/server.key && sudo chown 1883:1883 $out/mosquitto/server.key"
fi
echo "server certificate for $san: $out/server.crt (valid 825 days; re-run this to renew)"
