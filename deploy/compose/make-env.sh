#!/bin/sh
# Writes ./.env with fresh random secrets for docker-compose.yml (never committed: .env is ignored).
# Usage: sh deploy/compose/make-env.sh [path]   (refuses to overwrite an existing file)
set -eu
target="${1:-.env}"
if [ -e "$target" ]; then echo "$target exists; remove it first to rotate every secret" >&2; exit 1; fi
hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
umask 077
cat > "$target" <<ENV
POSTGRES_PASSWORD=$(hex 24)
PSEUDONYM_SECRET=$(hex 32)
CONTACT_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
VAULT_KEK=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
WHATSAPP_ACCESS_TOKEN=$(hex 24)
WHATSAPP_APP_SECRET=$(hex 24)
WHATSAPP_VERIFY_TOKEN=$(hex 12)
ENV
echo "wrote $target"
