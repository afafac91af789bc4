#!/usr/bin/env sh
# The integration suites run against moto_server as well as DynamoDB Local. Install it with pip only where it is
# missing (a user's machine); CI machines have it preinstalled and .ci/run refuses to run without it.
set -eu
if command -v moto_server >/dev/null 2>&1; then
  exit 0
fi
echo "moto_server is not on PATH: installing moto[server] with pip (user site)" >&2
python3 -m pip install --user --quiet 'moto[server]' || {
  echo "could not install moto[server]; install it yourself: python3 -m pip install 'moto[server]'" >&2
  exit 1
}
command -v moto_server >/dev/null 2>&1 || {
  echo "moto[server] installed, but moto_server is not on PATH; add \$(python3 -m site --user-base)/bin to PATH" >&2
  exit 1
}
