#!/usr/bin/env bash
# `cmake --install` into a scratch prefix, moved elsewhere afterwards (an installation is
# relocatable: nothing points back into the source or build tree), then the installed files as
# the desktop and a user see them.
#   check.sh BUILD_DIR SCRATCH_DIR MODEL.json
set -euo pipefail
build="$1"; scratch="$2"; model="$3"
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$scratch"
mkdir -p "$scratch"
cmake --install "$build" --prefix "$scratch/staged" > "$scratch/install.log"
mv "$scratch/staged" "$scratch/prefix"
prefix="$scratch/prefix"
unset LAYERLOOM_DATA_DIR

for f in bin/layerloom bin/layerloom-cli \
         share/layerloom/examples/lstm_autoencoder.loom share/layerloom/data/sunspots.csv \
         share/layerloom/data/SOURCES.md \
         share/applications/org.layerloom.LayerLoom.desktop \
         share/metainfo/org.layerloom.LayerLoom.metainfo.xml \
         share/mime/packages/org.layerloom.LayerLoom.xml \
         share/icons/hicolor/scalable/apps/org.layerloom.LayerLoom.svg \
         share/icons/hicolor/scalable/mimetypes/application-x-layerloom-project.svg \
         share/man/man1/layerloom-cli.1.gz share/man/man1/layerloom.1.gz; do
    [ -s "$prefix/$f" ] || fail "cmake --install did not write $f"
done

# The installed CLI finds the shipped examples and series beside itself.
cli="$prefix/bin/layerloom-cli"
version="$("$cli" --version)"
"$cli" summary "$prefix/share/layerloom/examples/lstm_autoencoder.loom" | grep -q "Total params: 3,724,641" \
    || fail "summary of the installed example"
(cd "$scratch" && "$cli" train "$model" --data sample:nile.csv --column volume --epochs 1 \
    --batch-size 8 --quiet --out "$scratch/run") || fail "train on sample:nile.csv"
[ -s "$scratch/run/weights.llw" ] || fail "the run has no weights"

# The GUI's version is the CLI's.
gui_version="$(QT_QPA_PLATFORM=offscreen "$prefix/bin/layerloom" --version)"
[ "${gui_version#LayerLoom }" = "${version#layerloom-cli }" ] \
    || fail "versions differ: '$gui_version' and '$version'"

# The manual pages.
for page in layerloom-cli layerloom; do
    text="$(gzip -dc "$prefix/share/man/man1/$page.1.gz")"
    grep -qi "^\.TH \"*$page" <<<"$text" || fail "$page.1 has no title"
    grep -q "${version#layerloom-cli }" <<<"$text" || fail "$page.1 does not say the version"
done
gzip -dc "$prefix/share/man/man1/layerloom-cli.1.gz" | grep -q '^\.SH ENVIRONMENT' \
    || fail "layerloom-cli.1 has no ENVIRONMENT section"

# What the desktop reads: valid entry and metadata, and *.loom known as a LayerLoom project.
desktop-file-validate "$prefix/share/applications/org.layerloom.LayerLoom.desktop"
appstreamcli validate --no-net --explain "$prefix/share/metainfo/org.layerloom.LayerLoom.metainfo.xml" \
    > "$scratch/appstream.log" 2>&1 || { cat "$scratch/appstream.log"; fail "AppStream metadata"; }
grep -q "release version=\"${version#layerloom-cli }\"" \
    "$prefix/share/metainfo/org.layerloom.LayerLoom.metainfo.xml" || fail "metainfo's release"
update-mime-database "$prefix/share/mime"
grep -q '^application/x-layerloom-project:\*\.loom$' "$prefix/share/mime/globs" \
    || fail "*.loom is not a LayerLoom project in the MIME database"
grep -q 'application/x-layerloom-project' "$prefix/share/mime/magic" \
    || fail "no content rule for LayerLoom projects"
echo "installed and checked: $version"
