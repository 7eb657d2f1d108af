#!/usr/bin/env bash
# Build the Dockerfile with ../shared/tools/build-image.sh (buildah, no Docker engine needed),
# then prove the image runs as non-root and answers /healthz and a summary request.
set -euo pipefail
cd "$(dirname "$0")/.."
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
tag=${1:-summarizer:check}
port=${PORT:-8765}
bash ../shared/tools/build-image.sh "$tag"
ctr=$(buildah from --pull=never "$tag")
trap 'pkill -f "summarizer serve --host 127.0.0.1 --port $port" || true; buildah rm "$ctr" >/dev/null' EXIT
echo "user in the image: $(buildah run --isolation chroot "$ctr" -- id -u)"
buildah run --isolation chroot --network host "$ctr" -- \
    summarizer serve --host 127.0.0.1 --port "$port" >/dev/null 2>&1 &
for _ in $(seq 60); do curl -fsS "http://127.0.0.1:$port/healthz" && break; sleep 1; done
echo
curl -fsS -X POST "http://127.0.0.1:$port/v1/summaries" -H 'content-type: application/json' \
    -d '{"text": "Police arrested 12 protesters in Lyon on Monday.", "published_at": "2025-03-04"}' \
    | head -c 300
echo
