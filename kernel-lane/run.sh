#!/usr/bin/env bash
# The kernel lane: boots a stock Debian kernel (it has ESP, the host kernel may not) under qemu,
# with the host root shared read-only, and runs the JUnit tests tagged "kernel-lane" inside it.
# Exit code: the guest's test exit code; non-zero when the guest wrote none (timeout, crash).
# See kernel-lane/README.md for the environment variables.
set -euo pipefail

LANE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LANE_DIR/.." && pwd)
CACHE=${MPSEC_KL_CACHE:-$REPO/.kernel-lane}
OUT=${MPSEC_KL_OUT:-$REPO/target/kernel-lane}
TIMEOUT=${MPSEC_KL_TIMEOUT:-2400}
MODULES=${MPSEC_KL_MODULES:-mpsec-ipsec,mpsec-kernel,mpsec-agent,mpsec-bench}
PACKAGES=(qemu-system-x86 busybox-static)

log() { echo "[kernel-lane] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

usage() {
    cat <<EOF
usage: kernel-lane/run.sh [--prepare-only]
  Prepares (packages, kernel, initramfs, classpath) and runs the kernel-lane tests in a qemu guest.
  --prepare-only   stop after preparing the kernel and initramfs (no Maven, no boot)
EOF
}

# --- 1. host packages ---------------------------------------------------------------------------
install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing Debian packages ${missing[*]}; install them as root: apt-get install --no-install-recommends ${missing[*]}"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# --- 2. kernel: download and unpack the Debian package, never install it -------------------------
resolve_kernel() {
    if [ -n "${MPSEC_KL_KERNEL:-}" ]; then
        echo "$MPSEC_KL_KERNEL"
        return
    fi
    local pkg
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)
    if [ -z "$pkg" ]; then
        apt-get update -q >/dev/null
        pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)
    fi
    [ -n "$pkg" ] || die "cannot find the Debian generic kernel (apt-cache depends linux-image-amd64)"
    echo "$pkg"
}

fetch_kernel() { # $1 = kernel version, e.g. 6.1.0-56-amd64; fills $KDIR/pkg and $KDIR/vmlinux
    local kver=$1
    rm -rf "$KDIR/pkg" "$KDIR/dl" && mkdir -p "$KDIR/dl"
    log "downloading linux-image-$kver (apt-get download; not installed)"
    if ! (cd "$KDIR/dl" && apt-get download -q "linux-image-$kver" >/dev/null 2>&1); then
        apt-get update -q >/dev/null
        (cd "$KDIR/dl" && apt-get download -q "linux-image-$kver" >/dev/null)
    fi
    local deb
    deb=$(ls "$KDIR"/dl/linux-image-"$kver"_*.deb)
    dpkg-deb -x "$deb" "$KDIR/pkg.tmp"
    mv "$KDIR/pkg.tmp" "$KDIR/pkg"
    rm -rf "$KDIR/dl"
    # vmlinuz is a bzImage with an xz payload: the uncompressed ELF boots through qemu's PVH entry,
    # which under TCG is about 8 s faster than the bzImage decompressor.
    local vmlinuz=$KDIR/pkg/boot/vmlinuz-$kver off
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n1 | cut -d: -f1)
    [ -n "$off" ] || die "no xz payload in $vmlinuz"
    tail -c +"$((off + 1))" "$vmlinuz" | xz -dc > "$KDIR/vmlinux.tmp" 2>/dev/null || true
    [ "$(head -c 4 "$KDIR/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || die "extracting vmlinux from $vmlinuz failed"
    mv "$KDIR/vmlinux.tmp" "$KDIR/vmlinux"
}

# --- 3. initramfs: static busybox, its applets, modules, /init ----------------------------------
prepare_kernel() { # $1 = kernel version; sets INITRD; cached per kernel version + init + busybox
    local kver=$1 bb=/bin/busybox key
    [ -x "$bb" ] || die "$bb missing (Debian package busybox-static)"
    key=$( { cat "$LANE_DIR/init"; declare -f prepare_kernel; "$bb" 2>&1 | head -n1; echo "$kver"; } | sha256sum | cut -c1-16)
    INITRD=$KDIR/initramfs-$key.cpio
    [ -s "$INITRD" ] && [ -s "$KDIR/vmlinux" ] && return 0
    fetch_kernel "$kver"
    log "building the initramfs"
    local root=$KDIR/initramfs.d m=$KDIR/pkg/lib/modules/$kver
    rm -rf "$root" && mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,newroot,tmp,etc,lib/modules/"$kver"}
    cp "$bb" "$root/bin/busybox"
    local applet
    for applet in $("$bb" --list-full); do
        [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
    done
    ln -sf /bin/busybox "$root/sbin/modprobe"
    cp "$LANE_DIR/init" "$root/init" && chmod 755 "$root/init"
    # Modules: networking (xfrm, esp, veth, sched incl. netem, netfilter), crypto, virtio, 9p,
    # fuse/overlay. Wireless, bluetooth and hardware NIC drivers are left out.
    (cd "$m" && find kernel/net kernel/crypto kernel/lib kernel/arch/x86/crypto kernel/fs/9p kernel/fs/netfs kernel/fs/fscache \
            kernel/fs/fuse kernel/fs/overlayfs kernel/drivers/virtio kernel/drivers/char/hw_random \
            kernel/drivers/net/veth.ko* kernel/drivers/net/dummy.ko* kernel/drivers/net/ifb.ko* \
            kernel/drivers/net/macvlan.ko* kernel/drivers/net/ipvlan kernel/drivers/net/vxlan \
            kernel/drivers/net/tun.ko* kernel/drivers/net/wireguard kernel/drivers/net/bonding \
            kernel/drivers/net/virtio_net.ko* kernel/drivers/net/net_failover.ko* \
            -name '*.ko*' 2>/dev/null \
        | grep -vE '^kernel/net/(wireless|mac80211|bluetooth|nfc|ieee802154|mac802154|6lowpan|atm|can|rxrpc|ceph|sunrpc|9p/9pnet_(rdma|xen))/' \
        | cpio_copy "$m" "$root/lib/modules/$kver")
    cp "$m"/modules.builtin* "$m"/modules.order "$root/lib/modules/$kver/" 2>/dev/null || true
    prune_module_deps "$root/lib/modules/$kver"
    "$bb" depmod -b "$root" "$kver"
    (cd "$root" && find . | "$bb" cpio -o -H newc 2>/dev/null) > "$KDIR/initramfs.tmp"
    rm -f "$KDIR"/initramfs-*.cpio
    mv "$KDIR/initramfs.tmp" "$INITRD"
    log "initramfs: $(find "$root/lib/modules" -name '*.ko*' | wc -l) modules, $(du -h "$INITRD" | cut -f1)"
    rm -rf "$root" "$KDIR/pkg"
}

prune_module_deps() { # $1 = modules dir: drop modules whose "depends=" are not in the initramfs
    local deps=$1/.deps pass=0 removed f
    (cd "$1" && find kernel -name '*.ko' | while read -r f; do
        printf '%s %s\n' "$f" "$(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | tr ',-' ' _')"; done) > "$deps"
    while :; do
        removed=$(cd "$1" && awk 'FNR == NR { n = $1; sub(/.*\//, "", n); sub(/\.ko$/, "", n); gsub(/-/, "_", n); have[n] = 1; next }
                 { for (i = 2; i <= NF; i++) if (!($i in have)) { print $1; break } }' "$deps" "$deps")
        [ -z "$removed" ] && break
        pass=$((pass + 1)); [ $pass -gt 20 ] && die "module dependency pruning does not converge"
        for f in $removed; do rm -f "$1/$f"; done
        awk 'NR == FNR { gone[$0] = 1; next } !($1 in gone)' <(printf '%s\n' $removed) "$deps" > "$deps.new"
        mv "$deps.new" "$deps"
        log "left out $(echo "$removed" | wc -w) modules whose dependencies are not in the initramfs"
    done
    rm -f "$deps"
}

cpio_copy() { # stdin: relative paths; copies them from $1 to $2 keeping directories
    local src=$1 dst=$2 f
    while IFS= read -r f; do
        mkdir -p "$dst/$(dirname "$f")"
        cp "$src/$f" "$dst/$f"
    done
}

# --- 4. test classpath, computed on the host ----------------------------------------------------
mvn_run() { # offline first (the main build downloaded everything), online as a fallback
    (cd "$REPO" && mvn -q -B -Dstyle.color=never -o "$@") || (cd "$REPO" && mvn -q -B -Dstyle.color=never "$@")
}

junit_console() {
    local v jar
    v=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' "$REPO/pom.xml" | head -n1)
    [ -n "$v" ] || die "no <junit.version> in $REPO/pom.xml"
    jar=$CACHE/junit/junit-platform-console-standalone-$v.jar
    if [ ! -s "$jar" ]; then
        log "fetching junit-platform-console-standalone $v"
        mvn_run org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
            -Dartifact="org.junit.platform:junit-platform-console-standalone:$v" \
            -DoutputDirectory="$CACHE/junit" >&2
    fi
    [ -s "$jar" ] || die "junit-platform-console-standalone $v not found"
    echo "$jar"
}

build_classpath() { # writes $OUT/classpath and sets SCAN_ROOTS
    local csv=${MODULES// /,} mod cp=
    # test-compile in the same session makes the reactor resolve mpsec-kernel/mpsec-api to their
    # target/classes and target/test-classes (they are not in ~/.m2); it is a no-op when up to date.
    log "computing the test classpath for $csv (mvn test-compile dependency:build-classpath)"
    mvn_run -pl "$csv" -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
        -Dmdep.outputFile=target/kernel-lane.classpath -Dmdep.includeScope=test >&2
    SCAN_ROOTS=()
    for mod in ${MODULES//,/ }; do
        [ -s "$REPO/$mod/target/kernel-lane.classpath" ] || die "no classpath written for $mod"
        cp+="$REPO/$mod/target/test-classes:$REPO/$mod/target/classes:$(cat "$REPO/$mod/target/kernel-lane.classpath"):"
        SCAN_ROOTS+=("$REPO/$mod/target/test-classes")
    done
    # The console launcher jar brings JUnit itself (same version): drop the project's JUnit jars.
    echo "$cp" | tr ':' '\n' | awk 'NF && !seen[$0]++' \
        | grep -vE '/org/(junit|opentest4j|apiguardian)/' | paste -sd: - > "$OUT/classpath"
}

# --- 5. guest command ---------------------------------------------------------------------------
write_guest_script() { # $1 = console launcher jar
    local java
    if [ -n "${MPSEC_KL_JAVA:-}" ]; then java=$MPSEC_KL_JAVA
    elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java=$(readlink -f "$JAVA_HOME/bin/java")
    else java=$(readlink -f "$(command -v java)"); fi
    [ -x "$java" ] || die "no java found (set MPSEC_KL_JAVA)"
    {
        echo '#!/bin/sh'
        echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8'
        printf 'cd %q || exit 125\n' "$REPO"
        echo 'echo "== guest command starts at $(cut -d" " -f1 /proc/uptime)s"' 
        if [ -n "${MPSEC_KL_COMMAND:-}" ]; then
            echo "$MPSEC_KL_COMMAND"
        else
            printf '%q' "$java"
            printf ' %q' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Djava.io.tmpdir=/tmp \
                -Dmpsec.kernelLane=true -Dmpsec.kernelLane.hostKernel="$(uname -r)" -Dmpsec.requireRoot=true \
                -jar "$1" execute --disable-banner --disable-ansi-colors --details=tree \
                --exclude-engine junit-vintage --exclude-engine junit-platform-suite \
                --fail-if-no-tests --include-classname "${MPSEC_KL_INCLUDE:-.*}" --include-tag kernel-lane --include-tag also-kernel-lane \
                --reports-dir "$OUT/reports"
            printf ' --class-path "$(cat %q)"' "$OUT/classpath"
            printf ' --scan-class-path %q' "$(IFS=:; echo "${SCAN_ROOTS[*]}")"
            echo " ${MPSEC_KL_JUNIT_ARGS:-} </dev/null"
        fi
        echo 'rc=$?'
        # a JVM that crashed in the guest (a test's child process) left its error report in /tmp: print
        # its head to the console and keep it with the reports, or the evidence dies with the guest
        printf 'for f in /tmp/hs_err_pid*.log; do [ -f "$f" ] || continue; echo "== a JVM crashed: $f (kept in the reports)"; head -n 80 "$f"; mkdir -p %q && cp "$f" %q/; done\n' "$OUT/reports" "$OUT/reports"
        echo 'echo "== guest command ends at $(cut -d" " -f1 /proc/uptime)s"; exit $rc' 
    } > "$OUT/guest.sh"
}

# --- 6. boot ------------------------------------------------------------------------------------
boot() {
    local accel=(-accel tcg,thread=multi,tb-size=512 -cpu max) keep=
    [ "${MPSEC_KL_ACCEL:-tcg}" = kvm ] && accel=(-accel kvm -cpu host)
    case "$REPO/" in /tmp/*|/run/*|/var/tmp/*|/dev/shm/*) keep=" mpsec_keep=$REPO" ;; esac
    rm -f "$OUT/exitcode"
    # MPSEC_KL_HOSTFWD=PORT: a user-mode NIC that carries nothing but one port forward, from
    # 127.0.0.1:PORT on the host to the guest (the demo's dashboard). restrict=on cuts the guest off
    # from every other network; the guest's side lies in 198.18.0.0/15 (RFC 2544).
    local net=() netarg=
    if [ -n "${MPSEC_KL_HOSTFWD:-}" ]; then
        [[ "$MPSEC_KL_HOSTFWD" =~ ^[0-9]+$ ]] && [ "$MPSEC_KL_HOSTFWD" -ge 1 ] && [ "$MPSEC_KL_HOSTFWD" -le 65535 ] \
            || die "MPSEC_KL_HOSTFWD must be a TCP port (1-65535), got '$MPSEC_KL_HOSTFWD'"
        net=(-netdev "user,id=n0,restrict=on,net=198.19.255.0/24,host=198.19.255.2,dhcpstart=198.19.255.15,hostfwd=tcp:127.0.0.1:$MPSEC_KL_HOSTFWD-198.19.255.15:$MPSEC_KL_HOSTFWD"
             -device virtio-net-pci,netdev=n0)
        netarg=" mpsec_net=198.19.255.15/24"
        log "forwarding 127.0.0.1:$MPSEC_KL_HOSTFWD to the guest's 198.19.255.15:$MPSEC_KL_HOSTFWD (user-mode network, restrict=on)"
    fi
    log "booting $KVER (${accel[*]}, timeout ${TIMEOUT}s)"
    local rc=0
    # cryptomgr.notests: skip the boot-time crypto self-tests; under TCG on a loaded host one of them
    # was seen spinning for minutes (soft lockup in cryptomgr_test) before any test could start.
    timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${accel[@]}" \
        -smp "${MPSEC_KL_SMP:-2}" -m "${MPSEC_KL_MEM:-2G}" \
        -M pc -nodefaults -no-user-config -display none -serial stdio -no-reboot \
        -kernel "$KDIR/vmlinux" -initrd "$INITRD" \
        -append "console=ttyS0 quiet loglevel=3 panic=-1 cryptomgr.notests softlockup_panic=0 mpsec_rw=$OUT$keep$netarg" \
        "${net[@]}" \
        -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
        -device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
        -fsdev local,id=io,path="$OUT",security_model=none \
        -device virtio-9p-pci,fsdev=io,mount_tag=kvrw \
        -device virtio-rng-pci </dev/null 2>&1 | tee "$OUT/console.log" || rc=$?
    [ "$rc" -eq 124 ] && log "qemu killed after ${TIMEOUT}s (MPSEC_KL_TIMEOUT)"
    return 0
}

main() {
    local prepare_only=false
    case "${1:-}" in
        --prepare-only) prepare_only=true ;;
        -h|--help) usage; exit 0 ;;
        "") ;;
        *) usage >&2; exit 2 ;;
    esac
    local t0 t
    t0=$(now)
    t=$(now); install_packages; log "packages ready in $(since "$t")s"
    KVER=$(resolve_kernel)
    if [ ! -s "$CACHE/$KVER/vmlinux" ] && [ -z "${MPSEC_KL_KERNEL:-}" ]; then
        # First run for this kernel: refresh the package lists, an old ABI may be gone from the mirror.
        log "apt-get update (no cached kernel yet)"
        apt-get update -q >/dev/null || log "apt-get update failed; trying with the current package lists"
        KVER=$(resolve_kernel)
    fi
    KDIR=$CACHE/$KVER
    mkdir -p "$KDIR"
    find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name '*-amd64' ! -name "$KVER" -exec rm -rf {} +
    t=$(now); prepare_kernel "$KVER"; log "kernel $KVER and initramfs ready in $(since "$t")s"
    $prepare_only && return 0
    rm -rf "$OUT" && mkdir -p "$OUT"
    t=$(now)
    local jar=
    if [ -z "${MPSEC_KL_COMMAND:-}" ]; then
        jar=$(junit_console)
        build_classpath
    fi
    write_guest_script "$jar"
    log "classpath ready in $(since "$t")s; preparation took $(since "$t0")s"
    t=$(now)
    boot
    log "guest ran for $(since "$t")s; whole lane $(since "$t0")s; console log: $OUT/console.log"
    local rc
    rc=$(cat "$OUT/exitcode" 2>/dev/null || true)
    if ! [[ "$rc" =~ ^[0-9]+$ ]]; then
        log "FAILED: the guest wrote no exit code (timeout, crash or boot failure); see $OUT/console.log"
        exit 125
    fi
    [ "$rc" -eq 0 ] && log "kernel-lane tests passed" || log "FAILED: kernel-lane tests exited with $rc (reports in $OUT/reports)"
    exit "$rc"
}

main "$@"
