#!/bin/sh
# Builds the mpsec Debian package from the agent's shaded jar.
#
#   mpsec-agent/src/deb/build-deb.sh JAR OUTDIR      e.g. mpsec-agent/target/mpsec-agent-0.1.0-SNAPSHOT-all.jar target
#
# Writes OUTDIR/mpsec_<version>_all.deb (Maven's 0.1.0-SNAPSHOT becomes Debian's 0.1.0~SNAPSHOT, which
# sorts before 0.1.0) and prints its path. Needs dpkg-deb (dpkg), gzip and java (the units are rendered
# by the jar itself, from the same templates `mpsec-agent install-service` uses).
# MPSEC_DEB_MAINTAINER overrides the Maintainer field.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
die() { printf 'build-deb: %s\n' "$*" >&2; exit 1; }

[ "$#" -eq 2 ] || die "usage: build-deb.sh JAR OUTDIR"
JAR="$1"
OUT="$2"
[ -f "$JAR" ] || die "no jar at $JAR: build it first (mvn -DskipTests package, or ./mpsec build)"
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb not found: apt-get install dpkg-dev"
command -v java >/dev/null 2>&1 || die "java not found: a Java 17+ runtime renders the units"

VERSION="$(basename "$JAR" | sed -n 's/^mpsec-agent-\(.*\)-all\.jar$/\1/p')"
[ -n "$VERSION" ] || die "cannot read the version from the jar name $(basename "$JAR") (expected mpsec-agent-VERSION-all.jar)"
DEB_VERSION="$(printf '%s' "$VERSION" | tr '-' '~')"
MAINTAINER="${MPSEC_DEB_MAINTAINER:-MPSec maintainers <maintainers@mpsec.example>}"
# Reproducible: the date of the last commit when there is one (SOURCE_DATE_EPOCH wins).
EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$HERE" log -1 --format=%ct 2>/dev/null || date +%s)}"

SAMPLE="$HERE/../main/resources/io/mpsec/agent/samples/mpsec.yaml"
[ -f "$SAMPLE" ] || SAMPLE="$HERE/mpsec.yaml.placeholder"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
STAGE="$OUT/deb-root"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/usr/bin" "$STAGE/usr/share/mpsec" "$STAGE/usr/share/doc/mpsec" \
    "$STAGE/lib/systemd/system" "$STAGE/etc/mpsec"

install -m 0644 "$JAR" "$STAGE/usr/share/mpsec/mpsec-agent.jar"
install -m 0755 "$HERE/mpsec-agent" "$STAGE/usr/bin/mpsec-agent"
# /etc/mpsec will hold the master key: 0700 from the start (postinst makes sure of it too).
chmod 0700 "$STAGE/etc/mpsec"
install -m 0600 "$SAMPLE" "$STAGE/etc/mpsec/mpsec.yaml"
# The package's units never grant CAP_SYS_ADMIN; `mpsec-agent install-service` writes units that do
# into /etc/systemd/system (which overrides /lib) when the config enters network namespaces.
java -cp "$JAR" io.mpsec.agent.InstallServiceCommand --unit-dir "$STAGE/lib/systemd/system" \
    --config /etc/mpsec/mpsec.yaml --binary /usr/bin/mpsec-agent --no-namespaces --no-enable >/dev/null \
    || die "rendering the units with $JAR failed"
chmod 0644 "$STAGE"/lib/systemd/system/*.service

install -m 0644 "$HERE/copyright" "$STAGE/usr/share/doc/mpsec/copyright"
sed -e "s/@VERSION@/$DEB_VERSION/" -e "s/@MAINTAINER@/$MAINTAINER/" \
    -e "s/@DATE@/$(LC_ALL=C date -u -d "@$EPOCH" '+%a, %d %b %Y %H:%M:%S +0000')/" "$HERE/changelog" \
    | gzip -9n > "$STAGE/usr/share/doc/mpsec/changelog.gz"
chmod 0644 "$STAGE/usr/share/doc/mpsec/changelog.gz"
# /etc/mpsec is 0700 and the config 0600 on purpose (the master key lives there).
install -d "$STAGE/usr/share/man/man1" "$STAGE/usr/share/lintian/overrides"
gzip -9n < "$HERE/mpsec-agent.1" > "$STAGE/usr/share/man/man1/mpsec-agent.1.gz"
chmod 0644 "$STAGE/usr/share/man/man1/mpsec-agent.1.gz"
install -m 0644 "$HERE/lintian-overrides" "$STAGE/usr/share/lintian/overrides/mpsec"

for script in postinst prerm postrm; do
    install -m 0755 "$HERE/DEBIAN/$script" "$STAGE/DEBIAN/$script"
done
install -m 0644 "$HERE/DEBIAN/conffiles" "$STAGE/DEBIAN/conffiles"
INSTALLED_SIZE="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
sed -e "s/@VERSION@/$DEB_VERSION/" -e "s/@MAINTAINER@/$MAINTAINER/" -e "s/@INSTALLED_SIZE@/$INSTALLED_SIZE/" \
    "$HERE/DEBIAN/control.in" > "$STAGE/DEBIAN/control"
(cd "$STAGE" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort \
    | xargs md5sum) > "$STAGE/DEBIAN/md5sums"
chmod 0644 "$STAGE/DEBIAN/control" "$STAGE/DEBIAN/md5sums"

find "$STAGE" -exec touch -h -d "@$EPOCH" {} +
DEB="$OUT/mpsec_${DEB_VERSION}_all.deb"
# The jar is already compressed: gzip costs seconds where xz would cost a minute on a small machine.
SOURCE_DATE_EPOCH="$EPOCH" dpkg-deb -Zgzip --root-owner-group --build "$STAGE" "$DEB" >/dev/null
rm -rf "$STAGE"
echo "$DEB"
