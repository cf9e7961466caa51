#!/usr/bin/env bash
# Bundles the embeddable widget into web/dist/ (a build output, git-ignored) with esbuild from
# package-lock.json: transformer-playground.js (one ES module: the element, the views and their
# CSS), worker.js (the engine worker with the wasm-bindgen glue) and the .wasm beside them, and
# locales/ (the message catalogs, which the widget fetches for its language).
# web/models/default.safetensors, when present, is copied in and becomes the widgets' default
# model; without it widgets use the seeded random model and make no request for one.
# Needs web/pkg/ (scripts/build-web.sh builds it and then calls this script).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> widget bundle (esbuild $(node_modules/.bin/esbuild --version))"
rm -rf web/dist
mkdir -p web/dist
model=null
if [ -f web/models/default.safetensors ]; then
    mkdir -p web/dist/models
    cp web/models/default.safetensors web/dist/models/
    model='"models/default.safetensors"'
fi
node_modules/.bin/esbuild web/widget/transformer-playground.js web/engine/worker.js \
    --bundle --format=esm --minify --target=es2022 --outdir=web/dist --entry-names='[name]' \
    --loader:.css=text --define:TP_DEFAULT_MODEL="$model" --define:TP_LOCALES='"./locales/"' --define:globalThis.TP_THREADS=false --legal-comments=none --log-level=warning
cp web/pkg/playground_web_bg.wasm web/dist/
cp -r web/locales web/dist/locales # the message catalogs, fetched by language (web/i18n/i18n.js)
for f in web/dist/transformer-playground.js web/dist/worker.js web/dist/playground_web_bg.wasm; do
    echo "    $f: $(stat -c %s "$f") bytes, $(gzip -9 -c "$f" | wc -c) gzipped"
done
