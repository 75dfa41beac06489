#!/usr/bin/env bash
# Creates a local development CA and a server certificate signed by it, for
# `allot serve --tls-cert OUT/server.pem --tls-key OUT/server.key`, with the
# CA in OUT/ca.pem for clients (curl --cacert OUT/ca.pem). Keys are written
# with mode 0600 and never belong in git (.gitignore excludes *.key, *.pem).
# Usage: certs/make-dev-certs.sh [OUT_DIR] [extra DNS names…]
set -euo pipefail
out="${1:-data/certs-dev}"
shift || true
mkdir -p "$out"
umask 077

san="DNS:localhost,IP:127.0.0.1,IP:::1"
for name in "$@"; do san="$san,DNS:$name"; done

if [[ ! -f "$out/ca.key" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
    -subj "/O=allot development/CN=allot development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$out/ca.key" -out "$out/ca.pem" 2>/dev/null
fi
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/O=allot development/CN=localhost" -keyout "$out/server.key" -out "$out/server.csr" 2>/dev/null
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial \
  -days 825 -out "$out/server.pem" \
  -extfile <(printf "subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n" "$san") 2>/dev/null
rm -f "$out/server.csr"
chmod 644 "$out/ca.pem" "$out/server.pem"
echo "CA:          $out/ca.pem"
echo "certificate: $out/server.pem"
echo "key:         $out/server.key"
